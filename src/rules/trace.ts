// Why a rule gave the verdict it gave on one record, for a rule author whose test failed: each
// selection with the items that failed and the values the record holds there, the condition with
// its result, and the Sigma filters applied to the rule. Built from the rule's source document and
// evaluated item by item with the engine's own passes (parse, validate, generate), so each item's verdict is
// the engine's. Cold path only: it reads and parses the rule file again.
import { readFile } from "node:fs/promises";
import { locate, parseYaml } from "../config/yaml.ts";
import { parseYamlDocuments } from "../config/yaml-documents.ts";
import { buildDetection } from "./compile.ts";
import { type CondNode, parseCondition, selectIdentifiers } from "./condition.ts";
import { isPlainObject, splitPath } from "./fields.ts";
import type { CompiledFilter } from "./filters.ts";
import { parseDetection } from "./parse.ts";
import { EvalContext } from "./record-cache.ts";
import type { CompiledRule, LoadRulesOptions } from "./types.ts";

/** One `field|modifiers: values` item of a selection map (or a keyword list). */
export interface ItemTrace {
  /** The key as written (`eventName|startswith`); "" for a keyword list. */
  key: string;
  values: unknown[];
  matched: boolean;
  /** The record's value(s) at the field, rendered; undefined when the field is absent (or keywords). */
  seen?: string;
}

export interface SelectionTrace {
  name: string;
  matched: boolean;
  /** One list of items per map (a selection that is a list of maps matches when one map does). */
  alternatives: ItemTrace[][];
}

export interface DetectionTrace {
  selections: SelectionTrace[];
  /** Each condition as written, with its result (several conditions: any one suffices). */
  conditions: { source: string; result: boolean }[];
  result: boolean;
}

export interface RuleTrace {
  rule: DetectionTrace;
  /** The Sigma filters applied to the rule: the record must pass each one. */
  filters: { id: string; trace: DetectionTrace }[];
  /** The trace's verdict: the rule's condition and every filter. */
  result: boolean;
  /** The engine's verdict (rule.matches); differs from `result` only if the trace is wrong. */
  engine: boolean;
}

/** At most this many characters of a value seen. */
const MAX_SEEN = 120;

/** Trace a detection section (`detection:` of a rule, or a filter's map without `rules`). */
export function traceDetection(
  detection: Record<string, unknown>,
  record: Record<string, unknown>,
  opts: LoadRulesOptions = {},
): DetectionTrace {
  const names = Object.keys(detection).filter((k) => k !== "condition");
  const selections = names.map((name) => traceSelection(name, detection[name], record, opts));
  const byName = new Map(selections.map((s) => [s.name, s.matched]));
  const cond = detection.condition;
  const sources = (Array.isArray(cond) ? cond : [cond]).filter((c): c is string => typeof c === "string");
  const conditions = sources.map((source) => ({
    source,
    result: evaluate(parseCondition(source), byName, names),
  }));
  return { selections, conditions, result: conditions.some((c) => c.result) };
}

function traceSelection(
  name: string,
  value: unknown,
  record: Record<string, unknown>,
  opts: LoadRulesOptions,
): SelectionTrace {
  const maps = isPlainObject(value)
    ? [value]
    : Array.isArray(value) && value.every(isPlainObject)
      ? (value as Record<string, unknown>[])
      : undefined;
  if (!maps) {
    // Keywords: one item, searched for anywhere in the record.
    const item: ItemTrace = {
      key: "",
      values: Array.isArray(value) ? value : [value],
      matched: itemMatches(value, record, opts),
    };
    return { name, matched: item.matched, alternatives: [[item]] };
  }
  const alternatives = maps.map((m) =>
    Object.entries(m).map(([key, v]): ItemTrace => {
      const field = key.split("|")[0];
      return {
        key,
        values: Array.isArray(v) ? v : [v],
        matched: itemMatches({ [key]: v }, record, opts),
        seen: seenAt(record, field),
      };
    }),
  );
  return { name, matched: alternatives.some((items) => items.every((i) => i.matched)), alternatives };
}

/** The engine's verdict on one selection value, compiled on its own. */
function itemMatches(selection: unknown, record: Record<string, unknown>, opts: LoadRulesOptions): boolean {
  // The item as a detection of its own, through the same passes as a rule (JSON is YAML).
  const parsed = parseYaml(JSON.stringify({ item: selection, condition: "item" }), "<trace>");
  const problems: string[] = [...parsed.problems.map((p) => p.message)];
  const report = (message: string) => problems.push(message);
  const detection = parsed.value as Record<string, unknown>;
  const model = parseDetection(parsed, detection, report, []);
  const built = buildDetection(model, detection, opts, report, problems.length);
  if (!built) throw new Error(`the item does not compile on its own: ${problems.join("; ")}`);
  return built.detection.test(record, new EvalContext(record));
}

function evaluate(node: CondNode, results: Map<string, boolean>, names: string[]): boolean {
  switch (node.kind) {
    case "id":
      return results.get(node.name) === true;
    case "and":
      return evaluate(node.left, results, names) && evaluate(node.right, results, names);
    case "or":
      return evaluate(node.left, results, names) || evaluate(node.right, results, names);
    case "not":
      return !evaluate(node.operand, results, names);
    case "of": {
      const hits = selectIdentifiers(node.pattern, names).filter((n) => results.get(n) === true).length;
      const all = selectIdentifiers(node.pattern, names).length;
      if (node.atLeast !== undefined) return hits >= node.atLeast;
      return node.quantifier === "all" ? hits === all : hits > 0;
    }
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The record's value(s) at a dotted path, through arrays, rendered; undefined when absent. */
function seenAt(record: unknown, field: string): string | undefined {
  if (field === "") return undefined;
  const found: unknown[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) {
      for (const el of node) walk(el, path);
      return;
    }
    if (path.length === 0) {
      found.push(node);
      return;
    }
    if (isPlainObject(node) && hasOwn.call(node, path[0])) walk(node[path[0]], path.slice(1));
  };
  walk(record, splitPath(field));
  if (found.length === 0) return undefined;
  return cap(found.length === 1 ? render(found[0]) : `[${found.map(render).join(", ")}]`);
}

function render(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function cap(s: string): string {
  return s.length > MAX_SEEN ? `${s.slice(0, MAX_SEEN - 1)}…` : s;
}

/**
 * Trace a loaded rule on a record, from its source file, with the filters among `filters` that apply
 * to it. Undefined when the source cannot be read again (a rule compiled from text, a file changed).
 */
export async function traceRule(
  rule: CompiledRule,
  record: Record<string, unknown>,
  filters: readonly CompiledFilter[],
  opts: LoadRulesOptions = {},
): Promise<RuleTrace | undefined> {
  const doc = await documentAt(rule.file, rule.line, rule.column);
  if (!doc || !isPlainObject(doc.detection)) return undefined;
  const name = typeof doc.name === "string" ? doc.name : undefined;
  const applied = filters.filter((f) =>
    f.rules === "any"
      ? Object.entries(f.logsource).every(([k, v]) => rule.logsource[k]?.toLowerCase() === v.toLowerCase())
      : f.rules.includes(rule.id) || (name !== undefined && f.rules.includes(name)),
  );
  try {
    const traced = traceDetection(doc.detection, record, opts);
    const filterTraces: RuleTrace["filters"] = [];
    for (const f of applied) {
      const fdoc = await documentAt(f.file, f.line, f.column);
      if (!fdoc || !isPlainObject(fdoc.filter)) return undefined;
      const detection = Object.fromEntries(Object.entries(fdoc.filter).filter(([k]) => k !== "rules"));
      filterTraces.push({ id: f.id, trace: traceDetection(detection, record, opts) });
    }
    return {
      rule: traced,
      filters: filterTraces,
      result: traced.result && filterTraces.every((f) => f.trace.result),
      engine: rule.matches(record),
    };
  } catch {
    // The file no longer compiles as it did when loaded: no trace rather than a wrong one.
    return undefined;
  }
}

/** The YAML document of `file` that starts at line:column (a file may hold several). */
async function documentAt(file: string, line: number, column: number) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const { docs } = parseYamlDocuments(text, file);
  for (const parsed of docs) {
    const pos = locate(parsed, []);
    if (pos.line === line && pos.column === column && isPlainObject(parsed.value)) return parsed.value;
  }
  return undefined;
}

/** The trace as indented lines under a FAIL line. */
export function formatTrace(t: RuleTrace): string[] {
  const out = formatDetection(t.rule, "");
  for (const f of t.filters) {
    out.push(`filter [${f.id}]:`);
    out.push(...formatDetection(f.trace, "  "));
  }
  if (t.filters.length) out.push(`rule condition and filters → ${t.result}`);
  if (t.result !== t.engine)
    out.push(
      `(this trace says ${t.result}, the engine says ${t.engine}: the trace is wrong; please report it)`,
    );
  return out;
}

function formatDetection(t: DetectionTrace, indent: string): string[] {
  const out: string[] = [];
  for (const s of t.selections) {
    const many = s.alternatives.length > 1;
    s.alternatives.forEach((items, i) => {
      const label = `${indent}selection "${s.name}"${many ? ` [${i}]` : ""}`;
      const failed = items.filter((x) => !x.matched);
      if (failed.length === 0) {
        const seen = items.filter((x) => x.seen !== undefined).map((x) => `${fieldOf(x)} ${x.seen}`);
        out.push(`${label}: matched${seen.length ? ` (${seen.join(", ")})` : ""}`);
        return;
      }
      for (const x of failed) out.push(`${label}: ${describeItem(x)} failed: ${seenText(x)}`);
    });
  }
  for (const c of t.conditions) out.push(`${indent}condition: ${c.source} → ${c.result}`);
  return out;
}

function fieldOf(x: ItemTrace): string {
  return x.key.split("|")[0];
}

function describeItem(x: ItemTrace): string {
  const values = x.values.length === 1 ? render(x.values[0]) : `[${x.values.map(render).join(", ")}]`;
  return x.key === "" ? `keywords ${cap(values)}` : `${x.key} ${cap(values)}`;
}

function seenText(x: ItemTrace): string {
  if (x.key === "") return "in no value of the record";
  return x.seen === undefined ? "field absent" : `value ${x.seen}`;
}
