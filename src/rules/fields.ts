// Field access into untrusted records: dotted paths that pass through arrays, own properties only.
// A path segment never reads an inherited property, so `__proto__`, `constructor.prototype` or
// `toString` resolve to "missing" unless the record itself carries such a key.
import type { EvalContext } from "./record-cache.ts";

/**
 * Tests one value found at a path; `undefined` stands for "missing". `stringTest`, when set, is what it
 * does to a string (a fast path).
 */
export interface ValueTest {
  (value: unknown, ctx: EvalContext): boolean;
  stringTest?: (s: string) => boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** For callers whose value test reads no per-record cache. */
const NO_CONTEXT = Object.freeze({ record: {} }) as unknown as EvalContext;

export function splitPath(field: string): string[] {
  return field.split(".");
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * True when `test` accepts some value at `path` from `node`. Arrays on the way are entered element by
 * element; an array at the end is tested element by element. A path that leads nowhere is tested
 * once with `undefined`, so `null` rules can match missing fields.
 */
export function anyAtPath(
  node: unknown,
  path: readonly string[],
  test: ValueTest,
  ctx: EvalContext = NO_CONTEXT,
): boolean {
  return walk(node, path, 0, test, ctx);
}

/**
 * `anyAtPath` bound to one path and one test, compiled once. Descends plain objects in a loop and only
 * falls back to the recursive walk when it meets an array on the way; a short path to a string goes
 * straight to the test's `stringTest` when it has one.
 */
export function pathTester(
  path: readonly string[],
  test: ValueTest,
): (record: unknown, ctx: EvalContext) => boolean {
  const n = path.length;
  const stringTest = test.stringTest;
  const generic = (record: unknown, ctx: EvalContext): boolean => {
    let cur: unknown = record;
    for (let i = 0; i < n; i++) {
      if (typeof cur !== "object" || cur === null) return test(undefined, ctx);
      if (Array.isArray(cur)) return walk(cur, path, i, test, ctx);
      const key = path[i];
      if (!hasOwn.call(cur, key)) return test(undefined, ctx);
      cur = (cur as Record<string, unknown>)[key];
    }
    return Array.isArray(cur) ? testTerminal(cur, test, ctx) : test(cur, ctx);
  };
  if (!stringTest || n > 2) return generic;
  // The common shapes (`eventName`, `userIdentity.arn` holding a string) in one closure, no loop.
  const k0 = path[0];
  if (n === 1) {
    return (record, ctx) => {
      if (isPlainObject(record)) {
        if (!hasOwn.call(record, k0)) return test(undefined, ctx);
        const v = record[k0];
        if (typeof v === "string") return stringTest(v);
      }
      return generic(record, ctx);
    };
  }
  const k1 = path[1];
  return (record, ctx) => {
    if (isPlainObject(record)) {
      if (!hasOwn.call(record, k0)) return test(undefined, ctx);
      const a = record[k0];
      if (isPlainObject(a)) {
        if (!hasOwn.call(a, k1)) return test(undefined, ctx);
        const v = a[k1];
        if (typeof v === "string") return stringTest(v);
      }
    }
    return generic(record, ctx);
  };
}

// The walks below keep their own stack instead of recursing: a record is untrusted, and arrays nested
// ten thousand deep must not overflow the call stack (which would cost every rule its verdict).

function walk(node: unknown, path: readonly string[], i: number, test: ValueTest, ctx: EvalContext): boolean {
  const nodes: unknown[] = [node];
  const depths: number[] = [i];
  while (nodes.length) {
    let cur = nodes.pop();
    let d = depths.pop()!;
    // Follow plain objects down the path; an array on the way fans out onto the stack.
    for (;;) {
      if (d === path.length) {
        if (testTerminal(cur, test, ctx)) return true;
        break;
      }
      if (Array.isArray(cur)) {
        if (cur.length === 0) {
          if (test(undefined, ctx)) return true;
          break;
        }
        for (let k = cur.length - 1; k >= 0; k--) {
          nodes.push(cur[k]);
          depths.push(d);
        }
        break;
      }
      if (!isPlainObject(cur) || !hasOwn.call(cur, path[d])) {
        if (test(undefined, ctx)) return true;
        break;
      }
      cur = cur[path[d]];
      d++;
    }
  }
  return false;
}

function testTerminal(value: unknown, test: ValueTest, ctx: EvalContext): boolean {
  if (!Array.isArray(value)) return test(value, ctx);
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (!Array.isArray(v)) {
      if (test(v, ctx)) return true;
      continue;
    }
    for (let k = v.length - 1; k >= 0; k--) stack.push(v[k]);
  }
  return false;
}

/** True when the path leads to a present value (null counts as present, as the spec says). */
export function existsAtPath(node: unknown, path: readonly string[]): boolean {
  return present(node, path, 0);
}

function present(node: unknown, path: readonly string[], i: number): boolean {
  const nodes: unknown[] = [node];
  const depths: number[] = [i];
  while (nodes.length) {
    const cur = nodes.pop();
    const d = depths.pop()!;
    if (d === path.length) {
      if (cur !== undefined) return true;
    } else if (Array.isArray(cur)) {
      for (let k = cur.length - 1; k >= 0; k--) {
        nodes.push(cur[k]);
        depths.push(d);
      }
    } else if (isPlainObject(cur) && hasOwn.call(cur, path[d])) {
      nodes.push(cur[path[d]]);
      depths.push(d + 1);
    }
  }
  return false;
}

/** Every scalar leaf below `value` (strings as they are, numbers and booleans in string form), in order, at any depth. */
export function collectLeaves(value: unknown, out: string[]): string[] {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else if (Array.isArray(v)) for (let k = v.length - 1; k >= 0; k--) stack.push(v[k]);
    else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      for (let k = keys.length - 1; k >= 0; k--) stack.push(v[keys[k]]);
    }
  }
  return out;
}
