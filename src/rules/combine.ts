// Building blocks of compiled entries: the record test type, compile errors, and how the values of
// one entry combine (OR, AND with `all`, negation with `neq`) into a test on a record.
import { pathTester, type ValueTest } from "./fields.ts";
import type { StringTest } from "./patterns.ts";
import { compactJsonOf, leavesOf } from "./record-cache.ts";

export type RecordTest = (record: Record<string, unknown>) => boolean;

/** A compile error; `path` leads from the detection entry to the offending YAML node. */
export class EntryError extends Error {
  constructor(
    message: string,
    readonly at: "key" | "value" | number = "key",
  ) {
    super(message);
  }
}

/** What an entry says about eventName/eventSource: the record's value must be one of these (lowercased). */
export interface Pin {
  field: string;
  values: Set<string>;
}

export interface CompiledEntry {
  test: RecordTest;
  pin?: Pin;
}

export interface EntryOptions {
  placeholders: Record<string, string[]>;
}

/** Apply a string test to a field value: strings as they are, numbers/booleans by string form, objects by JSON and leaves. */
export function valueTest(test: StringTest): ValueTest {
  const fn: ValueTest = (v) => {
    if (typeof v === "string") return test(v);
    if (typeof v === "number" || typeof v === "boolean") return test(String(v));
    if (typeof v === "object" && v !== null) {
      if (test(compactJsonOf(v))) return true;
      const leaves = leavesOf(v);
      for (let i = 0; i < leaves.length; i++) if (test(leaves[i])) return true;
    }
    return false;
  };
  fn.stringTest = test;
  return fn;
}

/** OR of value tests, keeping the string fast path when every one has it. */
function anyGroup(groups: ValueTest[]): ValueTest {
  const fn: ValueTest = (v) => {
    for (let i = 0; i < groups.length; i++) if (groups[i](v)) return true;
    return false;
  };
  const strings = groups.map((g) => g.stringTest);
  if (strings.every((t) => t !== undefined)) {
    fn.stringTest = (s) => {
      for (let i = 0; i < strings.length; i++) if (strings[i]!(s)) return true;
      return false;
    };
  }
  return fn;
}

/** List = OR (or AND with `all`); `neq` inverts the result for a field that is present and not null. */
export function combine(
  groups: ValueTest[],
  path: string[],
  keyword: boolean,
  seen: Set<string>,
): CompiledEntry {
  const tester = (g: ValueTest): RecordTest =>
    keyword
      ? (r) => {
          const leaves = leavesOf(r);
          for (let i = 0; i < leaves.length; i++) if (g(leaves[i])) return true;
          return false;
        }
      : pathTester(path, g);
  let test: RecordTest;
  if (seen.has("all")) {
    const each = groups.map(tester);
    test = (r) => {
      for (let i = 0; i < each.length; i++) if (!each[i](r)) return false;
      return true;
    };
  } else {
    test = tester(groups.length === 1 ? groups[0] : anyGroup(groups));
  }
  if (seen.has("neq")) {
    if (keyword) throw new EntryError('"neq" needs a field');
    const base = test;
    const present = pathTester(path, (v) => v !== null && v !== undefined);
    test = (r) => present(r) && !base(r);
  }
  return { test };
}
