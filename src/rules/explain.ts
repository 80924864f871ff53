// Why a rule matched a record: the search identifiers (selections) that matched where the condition
// uses them positively, and the record's values of the fields those selections test. Built once per
// rule; run only on a record the rule has already matched, never on the hot path.
import { type CondNode, selectIdentifiers } from "./condition.ts";
import { isPlainObject } from "./fields.ts";
import { EvalContext } from "./record-cache.ts";
import type { Compiled } from "./tree.ts";

export interface MatchExplanation {
  /** Selections that matched, in the order the rule defines them. */
  selections: string[];
  /** Field path → the record's value (JSON for non-strings), capped in length and count. */
  fields: Record<string, string>;
}

/** At most this many fields, each value at most this many characters. */
export const MAX_EXPLAINED_FIELDS = 16;
export const MAX_EXPLAINED_VALUE = 256;

const hasOwn = Object.prototype.hasOwnProperty;

export function buildExplainer(
  detection: Record<string, unknown>,
  identifiers: Map<string, Compiled>,
  conditions: readonly CondNode[],
): (record: Record<string, unknown>) => MatchExplanation {
  const names = [...identifiers.keys()];
  const positive = new Set<string>();
  for (const c of conditions) collectPositive(c, names, false, positive);
  const candidates = names
    .filter((n) => positive.has(n))
    .map((n) => ({ name: n, test: identifiers.get(n)!.test, fields: fieldsOf(detection[n]) }));
  return (record) => {
    const ctx = new EvalContext(record);
    const selections: string[] = [];
    const fields: Record<string, string> = {};
    let count = 0;
    for (const c of candidates) {
      if (!c.test(record, ctx)) continue;
      selections.push(c.name);
      for (const f of c.fields) {
        if (count >= MAX_EXPLAINED_FIELDS || hasOwn.call(fields, f)) continue;
        const v = valueAt(record, f.split("."));
        if (v === undefined) continue;
        fields[f] = cap(typeof v === "string" ? v : safeJson(v));
        count++;
      }
    }
    return { selections, fields };
  };
}

/** Identifiers the condition uses under an even number of `not`s: the ones whose match counts. */
function collectPositive(node: CondNode, names: string[], negated: boolean, out: Set<string>): void {
  switch (node.kind) {
    case "id":
      if (!negated) out.add(node.name);
      return;
    case "and":
    case "or":
      collectPositive(node.left, names, negated, out);
      collectPositive(node.right, names, negated, out);
      return;
    case "not":
      collectPositive(node.operand, names, !negated, out);
      return;
    case "of":
      if (!negated) for (const n of selectIdentifiers(node.pattern, names)) out.add(n);
  }
}

/** The field paths a selection tests: its map keys without modifiers (keyword lists test none). */
function fieldsOf(selection: unknown): string[] {
  const maps = Array.isArray(selection)
    ? selection.filter(isPlainObject)
    : isPlainObject(selection)
      ? [selection]
      : [];
  const out = new Set<string>();
  for (const m of maps)
    for (const key of Object.keys(m)) {
      const field = key.split("|")[0];
      if (field) out.add(field);
    }
  return [...out];
}

/** The value at a dotted path (own properties only); through arrays, the list of values found. */
function valueAt(node: unknown, path: readonly string[]): unknown {
  let cur: unknown = node;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(cur)) {
      const found = cur.map((el) => valueAt(el, path.slice(i))).filter((v) => v !== undefined);
      return found.length ? found : undefined;
    }
    if (!isPlainObject(cur) || !hasOwn.call(cur, path[i])) return undefined;
    cur = cur[path[i]];
  }
  return cur;
}

function cap(s: string): string {
  return s.length > MAX_EXPLAINED_VALUE ? `${s.slice(0, MAX_EXPLAINED_VALUE - 1)}…` : s;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
