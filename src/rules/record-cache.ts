// Per-record memo of the derived forms of object-valued fields (compact JSON, leaf strings).
// They are built only when a rule needs them and only once per record, however many rules look.
import { collectLeaves } from "./fields.ts";

const MAX_ENTRIES = 32;
const keys: object[] = [];
const jsons: (string | undefined)[] = [];
const leaves: (string[] | undefined)[] = [];

/** Forget the previous record's derived values; called once before each record is evaluated. */
export function resetRecordCache(): void {
  if (keys.length === 0) return;
  keys.length = 0;
  jsons.length = 0;
  leaves.length = 0;
}

function slot(obj: object): number {
  for (let i = 0; i < keys.length; i++) if (keys[i] === obj) return i;
  if (keys.length >= MAX_ENTRIES) return -1;
  keys.push(obj);
  jsons.push(undefined);
  leaves.push(undefined);
  return keys.length - 1;
}

export function compactJsonOf(obj: object): string {
  const i = slot(obj);
  if (i < 0) return safeStringify(obj);
  let s = jsons[i];
  if (s === undefined) {
    s = safeStringify(obj);
    jsons[i] = s;
  }
  return s;
}

export function leavesOf(obj: object): string[] {
  const i = slot(obj);
  if (i < 0) return collectLeaves(obj, []);
  let l = leaves[i];
  if (l === undefined) {
    l = collectLeaves(obj, []);
    leaves[i] = l;
  }
  return l;
}

function safeStringify(obj: object): string {
  try {
    return JSON.stringify(obj) ?? "";
  } catch (err) {
    // A record nested thousands deep exhausts JSON.stringify's stack: serialise it without recursion,
    // so `|contains` on such a field still sees the text. A cyclic value (never from JSON.parse) has
    // no JSON form.
    if (err instanceof RangeError) return stringifyIteratively(obj);
    return "";
  }
}

/** JSON.stringify's compact output for JSON data (objects, arrays, strings, finite numbers, booleans, null). */
export function stringifyIteratively(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of punctuation.
  const stack: { v?: unknown; text?: string }[] = [{ v: value }];
  const seen = new Set<object>();
  while (stack.length) {
    const item = stack.pop()!;
    if (item.text !== undefined) {
      out.push(item.text);
      continue;
    }
    const v = item.v;
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v) ?? "null");
      continue;
    }
    if (seen.has(v)) return "";
    seen.add(v);
    if (Array.isArray(v)) {
      stack.push({ text: "]" });
      for (let k = v.length - 1; k >= 0; k--) {
        stack.push({ v: v[k] });
        if (k > 0) stack.push({ text: "," });
      }
      stack.push({ text: "[" });
      continue;
    }
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    stack.push({ text: "}" });
    for (let k = keys.length - 1; k >= 0; k--) {
      stack.push({ v: (v as Record<string, unknown>)[keys[k]] });
      stack.push({ text: `${k > 0 ? "," : ""}${JSON.stringify(keys[k])}:` });
    }
    stack.push({ text: "{" });
  }
  return out.join("");
}
