// Multi-document YAML (a Sigma rule collection: base rules and correlations separated by `---`),
// parsed with the same safety settings as parseYaml. Every document keeps positions in the whole
// file, so a problem in the third document is still located as file:line:column.
import { LineCounter, parseAllDocuments } from "yaml";
import type { ParsedYaml, SourceProblem } from "./yaml.ts";

const MAX_ALIAS_COUNT = 100;
/** A rule collection is a handful of documents; a file with thousands is refused. */
export const MAX_DOCUMENTS = 64;

export function parseYamlDocuments(
  text: string,
  file: string,
): { docs: ParsedYaml[]; problems: SourceProblem[] } {
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    schema: "core",
    customTags: [],
    strict: true,
  });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (!Array.isArray(all)) {
    // An empty stream (only comments/directives).
    return { docs: [], problems: [] };
  }
  const problems: SourceProblem[] = [];
  if (all.length > MAX_DOCUMENTS) {
    problems.push({
      file,
      line: 1,
      column: 1,
      message: `more than ${MAX_DOCUMENTS} YAML documents in one file`,
    });
    return { docs: [], problems };
  }
  const docs: ParsedYaml[] = [];
  for (const doc of all) {
    const own: SourceProblem[] = [];
    for (const e of doc.errors)
      own.push({ file, ...at(e.pos[0]), message: `YAML syntax: ${firstLine(e.message)}` });
    for (const w of doc.warnings)
      own.push({ file, ...at(w.pos[0]), message: `YAML: ${firstLine(w.message)}` });
    let value: unknown;
    if (own.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        own.push({ file, ...at(doc.range[0]), message: `YAML: ${(err as Error).message}` });
      }
    }
    // An empty document (a trailing `---`) is no rule and no problem.
    if (own.length === 0 && (value === null || value === undefined)) continue;
    problems.push(...own);
    docs.push({ file, doc, lineCounter, value, problems: own });
  }
  return { docs, problems };
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}
