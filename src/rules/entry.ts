// Compiles one detection entry (`field|modifier|...: value or list`) into a test on a record.
// Everything that can be decided from the rule is decided here, once; the returned closure only reads.
import { RE2JS } from "re2js";
import { anyAtPath, existsAtPath, pathTester, splitPath } from "./fields.ts";
import { inCidr, parseCidr, parseIp } from "./ip.ts";
import {
  applyTransform,
  KNOWN_MODIFIERS,
  OPERATORS,
  TRANSFORMS,
  UNSUPPORTED_MODIFIERS,
  ValueError,
  type Variant,
} from "./modifiers.ts";
import {
  ANY,
  compileStringTest,
  literalOf,
  type Part,
  parseSigmaString,
  type StringTest,
  toLowerCached,
} from "./patterns.ts";
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

const PINNABLE = new Set(["eventName", "eventSource"]);

/** Apply a string test to a field value: strings as they are, numbers/booleans by string form, objects by JSON and leaves. */
function valueTest(test: StringTest): (v: unknown) => boolean {
  return (v) => {
    if (typeof v === "string") return test(v);
    if (typeof v === "number" || typeof v === "boolean") return test(String(v));
    if (typeof v === "object" && v !== null) {
      if (test(compactJsonOf(v))) return true;
      const leaves = leavesOf(v);
      for (let i = 0; i < leaves.length; i++) if (test(leaves[i])) return true;
    }
    return false;
  };
}

export function compileEntry(key: string, raw: unknown, opts: EntryOptions): CompiledEntry {
  const [field, ...mods] = key.split("|");
  const keyword = field === "";
  if (!keyword && !/^[^\s]+$/.test(field)) throw new EntryError(`invalid field name "${field}"`);
  const seen = new Set<string>();
  for (const m of mods) {
    if (UNSUPPORTED_MODIFIERS.has(m)) throw new EntryError(`modifier "${m}" is unsupported`);
    if (!KNOWN_MODIFIERS.has(m)) throw new EntryError(`unknown modifier "${m}"`);
    if (seen.has(m) && !TRANSFORMS.includes(m)) throw new EntryError(`modifier "${m}" is given twice`);
    seen.add(m);
  }
  const ops = mods.filter((m) => OPERATORS.includes(m));
  if (ops.length > 1) throw new EntryError(`modifiers "${ops.join('" and "')}" cannot be combined`);
  const op = ops[0];
  for (const f of ["i", "m", "s"]) {
    if (seen.has(f) && op !== "re") throw new EntryError(`modifier "${f}" is a flag of "re" and needs it`);
  }

  const isList = Array.isArray(raw);
  const values: unknown[] = isList ? (raw as unknown[]) : [raw];
  if (isList && values.length === 0) throw new EntryError("empty value list", "value");
  values.forEach((v, i) => {
    const at = isList ? i : "value";
    if (v === null && isList) throw new EntryError("null inside a value list: use a separate selection", at);
    if (v !== null && typeof v === "object") {
      throw new EntryError("a value must be a string, number, boolean or null", at);
    }
  });
  if (seen.has("all") && values.length < 2) {
    throw new EntryError('"all" needs a list of at least two values', "value");
  }

  const path = keyword ? [] : splitPath(field);
  if (raw === null) {
    if (keyword) throw new EntryError("a keyword cannot be null", "value");
    if (mods.length > 0) throw new EntryError("null cannot take modifiers", "value");
    return { test: pathTester(path, (v) => v === null || v === undefined) };
  }

  if (op === "exists") return compileExists(mods, values, path, keyword);
  if (op === "lt" || op === "lte" || op === "gt" || op === "gte")
    return compileNumeric(op, mods, values, path, keyword);
  if (op === "cidr") return compileCidr(mods, values, path, keyword);

  // Every remaining form compares text: one test per original value (OR inside it), then OR or AND.
  let groups: ((v: unknown) => boolean)[];
  let pin: Pin | undefined;
  if (seen.has("fieldref")) {
    if (keyword) throw new EntryError('"fieldref" needs a field');
    const refs = values.map((v, i) => fieldRefTest(v, i, isList, mods, op));
    const inner = combine(
      refs.map((f) => f.test),
      path,
      keyword,
      seen,
    ).test;
    return {
      test: (r) => {
        for (let i = 0; i < refs.length; i++) refs[i].bind(r);
        return inner(r);
      },
    };
  }
  if (op === "re") {
    const allowed = new Set(["re", "i", "m", "s", "all", "neq"]);
    const other = mods.find((m) => !allowed.has(m));
    if (other) throw new EntryError(`modifier "${other}" cannot be combined with "re"`);
    let flags = 0;
    if (seen.has("i")) flags |= RE2JS.CASE_INSENSITIVE;
    if (seen.has("m")) flags |= RE2JS.MULTILINE;
    if (seen.has("s")) flags |= RE2JS.DOTALL;
    groups = values.map((v, i) => {
      const at = isList ? i : "value";
      if (typeof v !== "string") throw new EntryError('"re" needs a string pattern', at);
      let re: RE2JS;
      try {
        re = RE2JS.compile(v, flags);
      } catch (err) {
        throw new EntryError(`invalid regular expression: ${(err as Error).message}`, at);
      }
      return valueTest((s) => re.test(s));
    });
    return combine(groups, path, keyword, seen);
  }

  const cased = seen.has("cased");
  const expandOn = seen.has("expand");
  const variantsPerValue: Part[][][] = values.map((v, i) => {
    const at = isList ? i : "value";
    let variants: Variant[] = [{ parts: parseSigmaString(String(v), expandOn), binary: false }];
    try {
      for (const m of mods)
        if (TRANSFORMS.includes(m)) variants = applyTransform(m, variants, opts.placeholders);
    } catch (err) {
      if (err instanceof ValueError) throw new EntryError(err.message, at);
      throw err;
    }
    return variants.map((x) => wrap(x.parts, op));
  });
  // A keyword is searched for anywhere in the record's values unless an operator says otherwise.
  const finalVariants =
    keyword && !op ? variantsPerValue.map((vs) => vs.map((p) => wrap(p, "contains"))) : variantsPerValue;

  if (
    !seen.has("all") &&
    !seen.has("neq") &&
    !op &&
    !keyword &&
    PINNABLE.has(field) &&
    !cased &&
    mods.length === 0
  ) {
    const lits = finalVariants.flat().map(literalOf);
    if (lits.every((l) => l !== undefined))
      pin = { field, values: new Set(lits.map((l) => l!.toLowerCase())) };
  }
  groups = finalVariants.map((vs) => valueTest(anyOf(vs.map((p) => compileStringTest(p, cased)))));
  // Many plain values (eventName lists): one set lookup instead of one comparison each.
  if (
    !seen.has("all") &&
    !cased &&
    finalVariants.every((vs) => vs.every((p) => literalOf(p) !== undefined))
  ) {
    const set = new Set(finalVariants.flat().map((p) => literalOf(p)!.toLowerCase()));
    if (set.size > 3) groups = [valueTest((s) => set.has(s) || set.has(toLowerCached(s)))];
  }
  const compiled = combine(groups, path, keyword, seen);
  return pin ? { ...compiled, pin } : compiled;
}

function wrap(parts: Part[], op: string | undefined): Part[] {
  if (op === "contains") return [ANY, ...parts, ANY];
  if (op === "startswith") return [...parts, ANY];
  if (op === "endswith") return [ANY, ...parts];
  return parts;
}

function anyOf(tests: StringTest[]): StringTest {
  if (tests.length === 1) return tests[0];
  return (s) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](s)) return true;
    return false;
  };
}

/** List = OR (or AND with `all`); `neq` inverts the result for a field that is present and not null. */
function combine(
  groups: ((v: unknown) => boolean)[],
  path: string[],
  keyword: boolean,
  seen: Set<string>,
): CompiledEntry {
  const tester = (g: (v: unknown) => boolean): RecordTest =>
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
    test = tester(
      groups.length === 1
        ? groups[0]
        : (v: unknown) => {
            for (let i = 0; i < groups.length; i++) if (groups[i](v)) return true;
            return false;
          },
    );
  }
  if (seen.has("neq")) {
    if (keyword) throw new EntryError('"neq" needs a field');
    const base = test;
    const present = pathTester(path, (v) => v !== null && v !== undefined);
    test = (r) => present(r) && !base(r);
  }
  return { test };
}

function compileExists(mods: string[], values: unknown[], path: string[], keyword: boolean): CompiledEntry {
  if (keyword) throw new EntryError('"exists" needs a field');
  if (mods.length !== 1) throw new EntryError('"exists" cannot be combined with other modifiers');
  if (values.length !== 1 || typeof values[0] !== "boolean") {
    throw new EntryError('"exists" takes true or false', "value");
  }
  const want = values[0];
  return { test: (r) => existsAtPath(r, path) === want };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function compileNumeric(
  op: string,
  mods: string[],
  values: unknown[],
  path: string[],
  keyword: boolean,
): CompiledEntry {
  if (keyword) throw new EntryError(`"${op}" needs a field`);
  const other = mods.find((m) => m !== op && m !== "all");
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "${op}"`);
  const limits = values.map((v, i) => {
    const n = toNumber(v);
    if (n === undefined) throw new EntryError(`"${op}" takes a number`, values.length > 1 ? i : "value");
    return n;
  });
  const cmp =
    op === "lt"
      ? (a: number, b: number) => a < b
      : op === "lte"
        ? (a: number, b: number) => a <= b
        : op === "gt"
          ? (a: number, b: number) => a > b
          : (a: number, b: number) => a >= b;
  const groups = limits.map((lim) => (v: unknown) => {
    const n = toNumber(v);
    return n !== undefined && cmp(n, lim);
  });
  return combine(groups, path, false, new Set(mods));
}

function compileCidr(mods: string[], values: unknown[], path: string[], keyword: boolean): CompiledEntry {
  if (keyword) throw new EntryError('"cidr" needs a field');
  const other = mods.find((m) => m !== "cidr" && m !== "all" && m !== "neq");
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "cidr"`);
  const groups = values.map((v, i) => {
    const net = typeof v === "string" ? parseCidr(v) : undefined;
    if (!net) throw new EntryError(`invalid CIDR "${String(v)}"`, values.length > 1 ? i : "value");
    return (x: unknown) => {
      if (typeof x !== "string") return false;
      const ip = parseIp(x);
      return ip !== undefined && inCidr(ip, net);
    };
  });
  return combine(groups, path, false, new Set(mods));
}

/** `field|fieldref: other`: the field's value equals (or contains, ...) the other field's value. */
function fieldRefTest(
  v: unknown,
  i: number,
  isList: boolean,
  mods: string[],
  op: string | undefined,
): FieldRefTest {
  const allowed = new Set(["fieldref", "contains", "startswith", "endswith", "cased", "all", "neq"]);
  const other = mods.find((m) => !allowed.has(m));
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "fieldref"`);
  if (typeof v !== "string" || v === "")
    throw new EntryError('"fieldref" takes a field name', isList ? i : "value");
  const refPath = splitPath(v);
  const cased = mods.includes("cased");
  const fold = cased ? (s: string) => s : toLowerCached;
  const cmp =
    op === "contains"
      ? (a: string, b: string) => a.includes(b)
      : op === "startswith"
        ? (a: string, b: string) => a.startsWith(b)
        : op === "endswith"
          ? (a: string, b: string) => a.endsWith(b)
          : (a: string, b: string) => a === b;
  let current: Record<string, unknown> = {};
  // The value test sees one value; the referenced field is read from the record bound just before.
  const test = (x: unknown) => {
    if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean") return false;
    const a = fold(String(x));
    return anyAtPath(current, refPath, (y) => {
      if (typeof y !== "string" && typeof y !== "number" && typeof y !== "boolean") return false;
      return cmp(a, fold(String(y)));
    });
  };
  return {
    test,
    bind: (r) => {
      current = r;
    },
  };
}

interface FieldRefTest {
  test: (x: unknown) => boolean;
  bind(r: Record<string, unknown>): void;
}
