// Generate pass: closures from a validated detection model. Every item is generated (so what only
// generation finds out, such as a regex the engine refuses, is reported for all items at once); the
// condition tree is built only when the whole detection is clean.
import { ItemError } from "./combine.ts";
import type { CondNode } from "./condition.ts";
import { generateItem, type Test } from "./entry.ts";
import { buildExplainer, type MatchExplanation } from "./explain.ts";
import type { DetectionItem, DetectionModel } from "./model.ts";
import type { PinAnalysis } from "./pins.ts";
import { andAll, type Compiled, compileCondition, orAll, specialize } from "./tree.ts";
import type { LoadRulesOptions } from "./types.ts";
import type { Report, ValidatedDetection } from "./validate.ts";

/** What a detection compiles to, plus a way to build a test for records the index has already narrowed. */
export interface CompiledDetection extends Compiled {
  specialize(implied: readonly string[]): Test;
  explain(record: Record<string, unknown>): MatchExplanation;
}

export function generateDetection(
  model: DetectionModel,
  checked: ValidatedDetection,
  raw: Record<string, unknown>,
  opts: LoadRulesOptions,
  report: Report,
  clean: boolean,
  pins: PinAnalysis | undefined,
): CompiledDetection | undefined {
  const placeholders = opts.placeholders ?? {};
  let ok = clean;
  const item = (it: DetectionItem): Compiled | undefined => {
    if (!checked.valid.has(it)) {
      ok = false;
      return undefined;
    }
    try {
      const entry = generateItem(it, { placeholders });
      const values = pins?.items.get(it);
      return values ? { test: entry.test, pin: { field: it.field, values } } : { test: entry.test };
    } catch (err) {
      if (!(err instanceof ItemError)) throw err;
      report(err.message, err.pos);
      ok = false;
      return undefined;
    }
  };
  const identifiers = new Map<string, Compiled>();
  for (const sel of model.selections) {
    const alternatives = sel.alternatives.map((items) => items.map(item));
    if (alternatives.some((a) => a.some((c) => c === undefined))) continue;
    const maps = (alternatives as Compiled[][]).map((entries) => ({ ...andAll(entries), entries }));
    identifiers.set(sel.name, sel.form === "keywords" ? maps[0].entries[0] : orAll(maps));
  }
  if (!ok || !pins || checked.conditions.some((c) => c === undefined)) return undefined;
  const names = model.selections.map((s) => s.name);
  const asts = model.conditions.map((c, i) => ({ ast: checked.conditions[i] as CondNode, path: c.path }));
  const compiled = asts.map(({ ast, path }) => compileCondition(ast, identifiers, names, path));
  const whole = compiled.length === 1 ? compiled[0] : orAll(compiled);
  return {
    ...whole,
    specialize: (implied) => specialize(whole, pins.rule, asts, identifiers, names, implied),
    explain: buildExplainer(
      raw,
      identifiers,
      asts.map((a) => a.ast),
    ),
  };
}
