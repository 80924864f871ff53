// Multi-document YAML (a Sigma rule collection: base rules and correlations separated by `---`),
// parsed with the same safety settings as parseYaml. Every document keeps positions in the whole
// file, so a problem in the third document is still located as file:line:column.
import { LineCounter, parseAllDocuments } from "yaml";
import { type ParsedYaml, readDocument, SAFE_YAML_OPTIONS, type SourceProblem } from "./yaml.ts";

/** A rule collection is a handful of documents; a file with thousands is refused. */
export const MAX_DOCUMENTS = 64;

export function parseYamlDocuments(
  text: string,
  file: string,
): { docs: ParsedYaml[]; problems: SourceProblem[] } {
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter, ...SAFE_YAML_OPTIONS });
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
    const parsed = readDocument(doc, lineCounter, file, at(doc.range[0]));
    // An empty document (a trailing `---`) is no rule and no problem.
    if (parsed.problems.length === 0 && (parsed.value === null || parsed.value === undefined)) continue;
    problems.push(...parsed.problems);
    docs.push(parsed);
  }
  return { docs, problems };
}
