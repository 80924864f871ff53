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
  } catch {
    // A record from JSON.parse cannot be cyclic; a hand-built one might. It then has no JSON form.
    return "";
  }
}
