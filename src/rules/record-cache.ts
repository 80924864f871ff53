// The evaluation context of one record: the per-record memo of derived forms of object-valued fields
// (compact JSON, leaf strings) and of the parsed source IP. Built only when a rule needs them and only
// once per record, however many rules look. Generated tests receive it as an argument; nothing here is
// module state, so two records (or two RuleSets, or a re-entrant explain) never share a cache.
import { collectLeaves } from "./fields.ts";
import { parseIp } from "./ip.ts";

const MAX_ENTRIES = 32;

export class EvalContext {
  private keys: object[] | undefined;
  private jsons: (string | undefined)[] | undefined;
  private leafLists: (string[] | undefined)[] | undefined;
  private ipIn: string | undefined;
  private ipOut: Uint16Array | undefined;

  /** `record`: the record under evaluation (fieldref reads the referenced field from it). */
  constructor(readonly record: Record<string, unknown>) {}

  private slot(obj: object): number {
    if (!this.keys) {
      this.keys = [];
      this.jsons = [];
      this.leafLists = [];
    }
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === obj) return i;
    if (keys.length >= MAX_ENTRIES) return -1;
    keys.push(obj);
    this.jsons!.push(undefined);
    this.leafLists!.push(undefined);
    return keys.length - 1;
  }

  /** JSON.stringify's compact form of an object value of this record. */
  compactJsonOf(obj: object): string {
    const i = this.slot(obj);
    if (i < 0) return safeStringify(obj);
    let s = this.jsons![i];
    if (s === undefined) {
      s = safeStringify(obj);
      this.jsons![i] = s;
    }
    return s;
  }

  /** The scalar leaves (as strings) below an object value of this record. */
  leavesOf(obj: object): string[] {
    const i = this.slot(obj);
    if (i < 0) return collectLeaves(obj, []);
    let l = this.leafLists![i];
    if (l === undefined) {
      l = collectLeaves(obj, []);
      this.leafLists![i] = l;
    }
    return l;
  }

  /** An IP address parsed once per record (every cidr rule reads the same sourceIPAddress). */
  ipOf(s: string): Uint16Array | undefined {
    if (s !== this.ipIn) {
      this.ipIn = s;
      this.ipOut = parseIp(s);
    }
    return this.ipOut;
  }
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
