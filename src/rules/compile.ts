// Compiles one parsed Sigma rule into a CompiledRule, in passes over the rule model: parse (YAML →
// model), validate (every problem, located), analyse (index pins, lint warnings) and generate
// (closures). Every problem is located in the YAML source and names the rule.
import { isScalar } from "yaml";
import { locate, nodeAt, type ParsedYaml } from "../config/yaml.ts";
import { analyseRule } from "./analyse.ts";
import { withContext } from "./combine.ts";
import { type CompiledDetection, generateDetection } from "./generate.ts";
import type { DetectionModel, SourcePos } from "./model.ts";
import { parseRule } from "./parse.ts";
import { analysePins, type PinAnalysis, type Pins } from "./pins.ts";
import { EvalContext } from "./record-cache.ts";
import type { Path } from "./tree.ts";
import type { CompiledRule, LoadRulesOptions, RulePins, RuleProblem, RuleWarning } from "./types.ts";
import { type Report, validateDetection } from "./validate.ts";

export interface CompileResult {
  rule?: CompiledRule;
  problems: RuleProblem[];
  warnings: RuleWarning[];
}

// The lint warnings of each compiled rule, kept beside it so CompiledRule keeps its shape.
const warningsByRule = new WeakMap<CompiledRule, RuleWarning[]>();

/** The analyse pass's warnings for a rule compiled here (none for a rule built elsewhere). */
export function warningsOf(rule: CompiledRule): RuleWarning[] {
  return warningsByRule.get(rule) ?? [];
}

export function compileRule(parsed: ParsedYaml, opts: LoadRulesOptions = {}): CompileResult {
  const parsedRule = parseRule(parsed);
  const problems = parsedRule.problems;
  const model = parsedRule.model;
  if (!model) return { problems, warnings: [] };
  const who = { ruleId: typeof model.doc.id === "string" ? model.doc.id : undefined, ruleTitle: model.title };
  const report: Report = (message, pos) => problems.push({ file: model.file, ...pos, message, ...who });
  const raw = model.doc.detection as Record<string, unknown>;
  const built = buildDetection(model.detection, raw, opts, report, problems.length);
  if (!built || problems.length > 0) return { problems, warnings: [] };
  const { test, specialize, explain } = built.detection;
  const pins = toRulePins(built.pins.rule);
  const doc = model.doc;
  const falsepositives = doc.falsepositives;
  const publicTest = withContext(test);
  const rule: CompiledRule = {
    id: model.id,
    title: model.title,
    level: model.level,
    tags: Array.isArray(doc.tags) ? (doc.tags as string[]) : [],
    description: doc.description as string | undefined,
    falsepositives:
      typeof falsepositives === "string" ? [falsepositives] : (falsepositives as string[] | undefined),
    status: model.status,
    author: doc.author as string | undefined,
    references: doc.references as string[] | undefined,
    logsource: model.logsource,
    file: model.file,
    ...model.pos,
    pins,
    test: publicTest,
    specialize: (implied) => withContext(specialize(implied)),
    explain,
    matches(record) {
      return test(record, new EvalContext(record));
    },
  };
  const warnings = analyseRule(model, pins).map((w) => ({
    file: model.file,
    ...w.pos,
    code: w.code,
    message: w.message,
    ...who,
  }));
  warningsByRule.set(rule, warnings);
  return { rule, problems: [], warnings };
}

/**
 * Validate, analyse (pins) and generate a detection model (a rule's, or a filter's). Problems go to
 * `report`, all of them; the result is undefined when there was any (`earlier`: problems the parse
 * pass already found). Items that passed validation are generated even then, so that what only
 * generation finds out is reported in the same run.
 */
export function buildDetection(
  model: DetectionModel,
  raw: Record<string, unknown>,
  opts: LoadRulesOptions,
  report: Report,
  earlier: number,
): { detection: CompiledDetection; pins: PinAnalysis } | undefined {
  let count = earlier;
  const counted: Report = (message, pos) => {
    count++;
    report(message, pos);
  };
  const checked = validateDetection(model, counted);
  const clean = count === 0;
  const conditions = checked.conditions;
  const pins = clean && conditions.every((c) => c !== undefined) ? analysePins(model, conditions) : undefined;
  const detection = generateDetection(model, checked, raw, opts, counted, clean, pins);
  return detection && pins ? { detection, pins } : undefined;
}

function toRulePins(pins: Pins): RulePins {
  const out: RulePins = {};
  const name = pins.get("eventName");
  const source = pins.get("eventSource");
  if (name) out.eventName = name;
  if (source) out.eventSource = source;
  return out;
}

/** Position of character `offset` inside a one-line scalar (plain or quoted); else the scalar's start. */
export function locateOffset(parsed: ParsedYaml, path: Path, offset: number): SourcePos {
  const { node } = nodeAt(parsed.doc, path);
  if (
    node &&
    isScalar(node) &&
    node.range &&
    typeof node.source === "string" &&
    !node.source.includes("\n")
  ) {
    const quoted = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE" ? 1 : 0;
    const pos = parsed.lineCounter.linePos(node.range[0] + quoted + offset);
    return { line: pos.line, column: pos.col };
  }
  return locate(parsed, path);
}
