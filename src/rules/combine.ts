// Building blocks of generated entries: the test types, and how the values of one item combine (OR,
// AND with `all`, negation with `neq`) into a test on a record.
import { pathTester, type ValueTest } from "./fields.ts";
import type { SourcePos } from "./model.ts";
import type { StringTest } from "./patterns.ts";
import { EvalContext } from "./record-cache.ts";

/** A generated test: one record and its evaluation context (the per-record caches). */
export type Test = (record: Record<string, unknown>, ctx: EvalContext) => boolean;

/**
 * The public form of a rule's test (CompiledRule.test): the context is optional, and a test called
 * without one makes its own. Callers judging one record with many rules pass one context to all.
 */
export type RecordTest = (record: Record<string, unknown>, ctx?: EvalContext) => boolean;

// Public tests by the generated test they wrap, so a caller that always has a context (RuleSet) can
// call the generated test directly and skip a call per rule per record.
const unwrapped = new WeakMap<RecordTest, Test>();

export function withContext(test: Test): RecordTest {
  const wrapper: RecordTest = (record, ctx) => test(record, ctx ?? new EvalContext(record));
  unwrapped.set(wrapper, test);
  return wrapper;
}

/** The generated test behind a public one (itself when it is not a wrapper: it takes a context too). */
export function direct(test: RecordTest): Test {
  return unwrapped.get(test) ?? test;
}

/** A problem found while generating an item's test (a regex the engine refuses, a value no encoding takes). */
export class ItemError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
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
  test: Test;
}

export interface EntryOptions {
  placeholders: Record<string, string[]>;
}

/** Apply a string test to a field value: strings as they are, numbers/booleans by string form, objects by JSON and leaves. */
export function valueTest(test: StringTest): ValueTest {
  const fn: ValueTest = (v, ctx) => {
    if (typeof v === "string") return test(v);
    if (typeof v === "number" || typeof v === "boolean") return test(String(v));
    if (typeof v === "object" && v !== null) {
      if (test(ctx.compactJsonOf(v))) return true;
      const leaves = ctx.leavesOf(v);
      for (let i = 0; i < leaves.length; i++) if (test(leaves[i])) return true;
    }
    return false;
  };
  fn.stringTest = test;
  return fn;
}

/** OR of value tests, keeping the string fast path when every one has it. */
function anyGroup(groups: ValueTest[]): ValueTest {
  const fn: ValueTest = (v, ctx) => {
    for (let i = 0; i < groups.length; i++) if (groups[i](v, ctx)) return true;
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
  linking: "or" | "and",
  neq: boolean,
): CompiledEntry {
  const tester = (g: ValueTest): Test =>
    keyword
      ? (r, ctx) => {
          const leaves = ctx.leavesOf(r);
          for (let i = 0; i < leaves.length; i++) if (g(leaves[i], ctx)) return true;
          return false;
        }
      : pathTester(path, g);
  let test: Test;
  if (linking === "and") {
    const each = groups.map(tester);
    test = (r, ctx) => {
      for (let i = 0; i < each.length; i++) if (!each[i](r, ctx)) return false;
      return true;
    };
  } else {
    test = tester(groups.length === 1 ? groups[0] : anyGroup(groups));
  }
  if (neq) {
    const base = test;
    const present = pathTester(path, (v) => v !== null && v !== undefined);
    test = (r, ctx) => present(r, ctx) && !base(r, ctx);
  }
  return { test };
}
