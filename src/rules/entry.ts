// Compiles one detection entry (`field|modifier|...: value or list`) into a test on a record.
// Everything that can be decided from the rule is decided here, once; the returned closure only reads.
import {
  type CompiledEntry,
  combine,
  EntryError,
  type EntryOptions,
  type Pin,
  valueTest,
} from "./combine.ts";
import { pathTester, splitPath } from "./fields.ts";
import {
  applyTransform,
  KNOWN_MODIFIERS,
  OPERATORS,
  TRANSFORMS,
  UNSUPPORTED_MODIFIERS,
  ValueError,
  type Variant,
} from "./modifiers.ts";
import { compileCidr, compileExists, compileNumeric, fieldRefTest } from "./operators.ts";
import {
  ANY,
  compileStringTest,
  literalOf,
  type Part,
  parseSigmaString,
  type StringTest,
  toLowerCached,
} from "./patterns.ts";
import { compileRegexTest } from "./regex.ts";

export { EntryError, type Pin, type RecordTest } from "./combine.ts";

const PINNABLE = new Set(["eventName", "eventSource"]);

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
    const flags = { ignoreCase: seen.has("i"), multiLine: seen.has("m"), dotAll: seen.has("s") };
    groups = values.map((v, i) => {
      const at = isList ? i : "value";
      if (typeof v !== "string") throw new EntryError('"re" needs a string pattern', at);
      try {
        return valueTest(compileRegexTest(v, flags));
      } catch (err) {
        throw new EntryError(`invalid regular expression: ${(err as Error).message}`, at);
      }
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
    const literals = finalVariants.flat().map((p) => literalOf(p)!);
    const lower = new Set(literals.map((l) => l.toLowerCase()));
    // The values as written answer the common case (same spelling) without lowercasing the record's.
    const asWritten = new Set(literals);
    if (lower.size > 3) groups = [valueTest((s) => asWritten.has(s) || lower.has(toLowerCached(s)))];
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
