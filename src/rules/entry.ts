// Generate pass for one detection item (`field|modifier|...: value or list`): a test on a record.
// The item has passed validation (its chain fits the modifier registry's kinds and its values suit its
// comparison); what is left to fail here is what only building the test finds out (a regex the
// linear-time engine refuses, a value an encoding cannot take, too many variants), reported as ItemError.
import { type CompiledEntry, combine, type EntryOptions, ItemError, valueTest } from "./combine.ts";
import { pathTester } from "./fields.ts";
import type { DetectionItem } from "./model.ts";
import { comparisonOf, MODIFIERS } from "./modifier-registry.ts";
import { applyTransform, ValueError, type Variant } from "./modifiers.ts";
import { generateCidr, generateExists, generateFieldRef, generateNumeric } from "./operators.ts";
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

export { ItemError, type Pin, type RecordTest, type Test } from "./combine.ts";

const TEXT_COMPARISONS = new Set(["contains", "startswith", "endswith"]);

export function generateItem(item: DetectionItem, opts: EntryOptions): CompiledEntry {
  const { path, keyword, values } = item;
  const names = new Set(item.modifiers.map((m) => m.name));
  const neq = names.has("neq");
  const cased = names.has("cased");
  if (values.length === 1 && values[0].value === null) {
    return { test: pathTester(path, (v) => v === null || v === undefined) };
  }
  const op = comparisonOf(item);
  if (op === "exists") return generateExists(item);
  if (op === "lt" || op === "lte" || op === "gt" || op === "gte") return generateNumeric(op, item);
  if (op === "cidr") return generateCidr(item, neq);
  if (op === "fieldref") {
    const textOp = item.modifiers.find((m) => TEXT_COMPARISONS.has(m.name))?.name;
    return generateFieldRef(item, textOp, cased, neq);
  }
  if (op === "re") {
    const flags = { ignoreCase: names.has("i"), multiLine: names.has("m"), dotAll: names.has("s") };
    const groups = values.map((v) => {
      try {
        return valueTest(compileRegexTest(v.value as string, flags));
      } catch (err) {
        throw new ItemError(`invalid regular expression: ${(err as Error).message}`, v.pos);
      }
    });
    return combine(groups, path, keyword, item.linking, neq);
  }

  // Every remaining form compares text: one test per original value (OR inside it), then OR or AND.
  const transforms = item.modifiers.flatMap((m) => {
    const transform = MODIFIERS.get(m.name)?.transform;
    return transform ? [{ name: m.name, transform }] : [];
  });
  const expandOn = names.has("expand");
  const variantsPerValue: Part[][][] = values.map((v) => {
    let variants: Variant[] = [{ parts: parseSigmaString(String(v.value), expandOn), binary: false }];
    try {
      for (const m of transforms) variants = applyTransform(m.name, m.transform, variants, opts.placeholders);
    } catch (err) {
      if (err instanceof ValueError) throw new ItemError(err.message, v.pos);
      throw err;
    }
    return variants.map((x) => wrap(x.parts, op));
  });
  // A keyword is searched for anywhere in the record's values unless an operator says otherwise.
  const finalVariants =
    keyword && !op ? variantsPerValue.map((vs) => vs.map((p) => wrap(p, "contains"))) : variantsPerValue;

  let groups = finalVariants.map((vs) => valueTest(anyOf(vs.map((p) => compileStringTest(p, cased)))));
  // Many plain values (eventName lists): one set lookup instead of one comparison each.
  if (
    item.linking === "or" &&
    !cased &&
    finalVariants.every((vs) => vs.every((p) => literalOf(p) !== undefined))
  ) {
    const literals = finalVariants.flat().map((p) => literalOf(p)!);
    const lower = new Set(literals.map((l) => l.toLowerCase()));
    // The values as written answer the common case (same spelling) without lowercasing the record's.
    const asWritten = new Set(literals);
    if (lower.size > 3) groups = [valueTest((s) => asWritten.has(s) || lower.has(toLowerCached(s)))];
  }
  return combine(groups, path, keyword, item.linking, neq);
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
