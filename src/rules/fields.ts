// Field access into untrusted records: dotted paths that pass through arrays, own properties only.
// A path segment never reads an inherited property, so `__proto__`, `constructor.prototype` or
// `toString` resolve to "missing" unless the record itself carries such a key.

/**
 * Tests one value found at a path; `undefined` stands for "missing". `stringTest`, when set, is what it
 * does to a string (a fast path).
 */
export interface ValueTest {
  (value: unknown): boolean;
  stringTest?: (s: string) => boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

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
export function anyAtPath(node: unknown, path: readonly string[], test: ValueTest): boolean {
  return walk(node, path, 0, test);
}

/**
 * `anyAtPath` bound to one path and one test, compiled once. Descends plain objects in a loop and only
 * falls back to the recursive walk when it meets an array on the way; a short path to a string goes
 * straight to the test's `stringTest` when it has one.
 */
export function pathTester(path: readonly string[], test: ValueTest): (record: unknown) => boolean {
  const n = path.length;
  const stringTest = test.stringTest;
  const generic = (record: unknown): boolean => {
    let cur: unknown = record;
    for (let i = 0; i < n; i++) {
      if (typeof cur !== "object" || cur === null) return test(undefined);
      if (Array.isArray(cur)) return walk(cur, path, i, test);
      const key = path[i];
      if (!hasOwn.call(cur, key)) return test(undefined);
      cur = (cur as Record<string, unknown>)[key];
    }
    return Array.isArray(cur) ? testTerminal(cur, test) : test(cur);
  };
  if (!stringTest || n > 2) return generic;
  // The common shapes (`eventName`, `userIdentity.arn` holding a string) in one closure, no loop.
  const k0 = path[0];
  if (n === 1) {
    return (record) => {
      if (isPlainObject(record)) {
        if (!hasOwn.call(record, k0)) return test(undefined);
        const v = record[k0];
        if (typeof v === "string") return stringTest(v);
      }
      return generic(record);
    };
  }
  const k1 = path[1];
  return (record) => {
    if (isPlainObject(record)) {
      if (!hasOwn.call(record, k0)) return test(undefined);
      const a = record[k0];
      if (isPlainObject(a)) {
        if (!hasOwn.call(a, k1)) return test(undefined);
        const v = a[k1];
        if (typeof v === "string") return stringTest(v);
      }
    }
    return generic(record);
  };
}

function walk(node: unknown, path: readonly string[], i: number, test: ValueTest): boolean {
  if (i === path.length) return testTerminal(node, test);
  if (Array.isArray(node)) {
    if (node.length === 0) return test(undefined);
    for (let k = 0; k < node.length; k++) if (walk(node[k], path, i, test)) return true;
    return false;
  }
  if (!isPlainObject(node)) return test(undefined);
  const key = path[i];
  if (!hasOwn.call(node, key)) return test(undefined);
  return walk(node[key], path, i + 1, test);
}

function testTerminal(value: unknown, test: ValueTest): boolean {
  if (!Array.isArray(value)) return test(value);
  for (let k = 0; k < value.length; k++) if (testTerminal(value[k], test)) return true;
  return false;
}

/** True when the path leads to a present value (null counts as present, as the spec says). */
export function existsAtPath(node: unknown, path: readonly string[]): boolean {
  return present(node, path, 0);
}

function present(node: unknown, path: readonly string[], i: number): boolean {
  if (i === path.length) return node !== undefined;
  if (Array.isArray(node)) {
    for (let k = 0; k < node.length; k++) if (present(node[k], path, i)) return true;
    return false;
  }
  if (!isPlainObject(node)) return false;
  const key = path[i];
  if (!hasOwn.call(node, key)) return false;
  return present(node[key], path, i + 1);
}

/** Every scalar leaf below `value` (strings as they are, numbers and booleans in string form). */
export function collectLeaves(value: unknown, out: string[], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "boolean") out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) collectLeaves(v, out, depth + 1);
  else if (isPlainObject(value)) {
    for (const k in value) if (hasOwn.call(value, k)) collectLeaves(value[k], out, depth + 1);
  }
  return out;
}
