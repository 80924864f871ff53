// Safe YAML parsing that keeps source positions, shared by the config loader and the rule loader.
// Untrusted input: no custom tags, a bounded alias expansion, duplicate keys rejected.
import type { ErrorObject } from "ajv";
import {
  type Document,
  type DocumentOptions,
  isMap,
  isSeq,
  LineCounter,
  type Node,
  type ParseOptions,
  parseDocument,
  type SchemaOptions,
} from "yaml";

/** One problem in a source file, located as file:line:column (1-based). */
export interface SourceProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export interface ParsedYaml {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain JS value, or undefined when the document has errors. */
  value: unknown;
  problems: SourceProblem[];
}

const MAX_ALIAS_COUNT = 100;

/** The parser settings for untrusted YAML (one document or a stream of them). */
export const SAFE_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: false,
  uniqueKeys: true,
  schema: "core",
  customTags: [],
  strict: true,
};

export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...SAFE_YAML_OPTIONS });
  return readDocument(doc, lineCounter, file, { line: 1, column: 1 });
}

/**
 * One parsed document as a ParsedYaml: its syntax errors and warnings located, and its value when it
 * has none. `expansionAt`: where a failed alias expansion is reported.
 */
export function readDocument(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  file: string,
  expansionAt: { line: number; column: number },
): ParsedYaml {
  const problems: SourceProblem[] = [];
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  for (const e of doc.errors) {
    problems.push({ file, ...at(e.pos[0]), message: `YAML syntax: ${firstLine(e.message)}` });
  }
  for (const w of doc.warnings) {
    // An unresolved tag (`!foo`) is the only warning that matters here: custom tags are not allowed.
    problems.push({ file, ...at(w.pos[0]), message: `YAML: ${firstLine(w.message)}` });
  }
  let value: unknown;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      problems.push({ file, ...expansionAt, message: `YAML: ${(err as Error).message}` });
    }
  }
  return { file, doc, lineCounter, value, problems };
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

/** The node at a JSON-pointer-like path (array of keys), or the deepest existing ancestor. */
export function nodeAt(
  doc: Document,
  path: (string | number)[],
): { node: Node | null; keyNode: Node | null } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg),
      );
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  return { node: (node as Node) ?? null, keyNode };
}

/** Position of the value (or key, when asked) at a path. */
export function locate(
  parsed: ParsedYaml,
  path: (string | number)[],
  preferKey = false,
): { line: number; column: number } {
  const { node, keyNode } = nodeAt(parsed.doc, path);
  const target = preferKey && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  const pos = parsed.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Turn ajv errors into located problems; an unknown key points at the key itself. */
export function ajvProblems(parsed: ParsedYaml, errors: ErrorObject[] | null | undefined): SourceProblem[] {
  const out: SourceProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // "must match then/else schema" only repeats the branch's own errors (rule.schema.json dispatches
    // a document to the detection, correlation or filter schema this way).
    if (e.keyword === "if") continue;
    const path = pointerToPath(e.instancePath);
    let message: string;
    let preferKey = false;
    if (e.keyword === "additionalProperties") {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      path.push(key);
      preferKey = true;
      message = `unknown key "${key}"${path.length > 1 ? ` in ${path.slice(0, -1).join(".")}` : ""}`;
    } else if (e.keyword === "enum") {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `${describe(path)} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "oneOf" || e.keyword === "anyOf") {
      message = `${describe(path)} ${e.message ?? "is invalid"}`;
    } else {
      message = `${describe(path)} ${e.message ?? "is invalid"}`;
    }
    const pos = locate(parsed, path, preferKey);
    const key = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: parsed.file, ...pos, message });
  }
  return out;
}

function describe(path: string[]): string {
  return path.length ? `"${path.join(".")}"` : "the document";
}
