// Sigma filters (meta filters, specification v2): a `filter:` document adds an exclusion to rules
// without editing them. As pySigma applies it, a rule's condition becomes
// `(rule condition) and (filter condition)`, the filter's selections being its own identifiers; so
// a filter condition is usually written `not selection`. Filters apply to base rules only (not to
// correlations), to the rules listed by id or name (or every rule, with `rules: any` / `all` / []),
// and only where the filter's logsource covers the rule's.
import { locate, type ParsedYaml } from "../config/yaml.ts";
import { fieldWarnings } from "./analyse.ts";
import { type RecordTest, type Test, withContext } from "./combine.ts";
import { buildDetection } from "./compile.ts";
import { isPlainObject as isMap } from "./fields.ts";
import { parseDetection } from "./parse.ts";
import { EvalContext } from "./record-cache.ts";
import type { CompiledRule, LoadRulesOptions, RuleProblem, RuleWarning } from "./types.ts";

export interface CompiledFilter {
  id: string;
  title: string;
  file: string;
  line: number;
  column: number;
  logsource: Record<string, string>;
  /** Rule ids or names; "any" for every rule the logsource covers. */
  rules: string[] | "any";
  rulePositions: { line: number; column: number }[];
  /** The filter's condition over its own selections: a record passes when it holds. */
  test: Test;
  /** Lint warnings on its selections (a field CloudTrail records do not have excludes nothing). */
  warnings: RuleWarning[];
}

export function isFilterDocument(value: unknown): boolean {
  return isMap(value) && "filter" in value && !("detection" in value) && !("correlation" in value);
}

export function parseFilter(
  parsed: ParsedYaml,
  opts: LoadRulesOptions = {},
): { filter?: CompiledFilter; problems: RuleProblem[] } {
  const file = parsed.file;
  const doc = parsed.value as Record<string, unknown>;
  const ruleId = typeof doc.id === "string" ? doc.id : undefined;
  const ruleTitle = typeof doc.title === "string" ? doc.title : undefined;
  const problems: RuleProblem[] = [];
  const problem = (message: string, path: (string | number)[], preferKey = false) =>
    problems.push({ file, ...locate(parsed, path, preferKey), message, ruleId, ruleTitle });
  if (!ruleTitle) problem("a filter needs a title", []);
  if (!isMap(doc.logsource) || !Object.values(doc.logsource).every((v) => typeof v === "string")) {
    problem(
      "a filter needs a logsource (a map of strings, such as {product: aws, service: cloudtrail})",
      ["logsource"],
      true,
    );
  }
  const f = doc.filter;
  if (!isMap(f)) {
    problem('"filter" must be a map with rules, its selections and condition', ["filter"], true);
    return { problems };
  }
  let rules: string[] | "any" | undefined;
  const r = f.rules;
  if (!("rules" in f)) problem('a filter needs "rules": rule ids or names, or "any"', ["filter"], true);
  else if (typeof r === "string" && ["any", "all"].includes(r.toLowerCase())) rules = "any";
  else if (Array.isArray(r) && r.length === 0) rules = "any";
  else if (typeof r === "string" && r !== "") rules = [r];
  else if (Array.isArray(r) && r.every((x) => typeof x === "string" && x !== "")) rules = r as string[];
  else problem('"rules" must be a rule id or name, a list of them, or "any"', ["filter", "rules"]);
  if (typeof f.condition !== "string") {
    problem(
      "a filter needs one condition, a string (for example: not selection)",
      "condition" in f ? ["filter", "condition"] : ["filter"],
      !("condition" in f),
    );
  }
  if (problems.length > 0 || !rules) return { problems };
  const detection: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (k !== "rules") detection[k] = v;
  const report = (message: string, pos: { line: number; column: number }) =>
    problems.push({ file, ...pos, message, ruleId, ruleTitle });
  const model = parseDetection(parsed, detection, report, ["filter"]);
  const compiled = buildDetection(model, detection, opts, report, problems.length);
  if (!compiled || problems.length > 0) return { problems };
  return {
    filter: {
      id: ruleId ?? ruleTitle!,
      title: ruleTitle!,
      file,
      ...locate(parsed, []),
      logsource: doc.logsource as Record<string, string>,
      rules,
      rulePositions:
        rules === "any"
          ? []
          : rules.map((_, i) =>
              locate(parsed, Array.isArray(r) ? ["filter", "rules", i] : ["filter", "rules"]),
            ),
      test: compiled.detection.test,
      warnings: fieldWarnings(model).map((w) => ({
        file,
        ...w.pos,
        code: w.code,
        message: w.message,
        ruleId,
        ruleTitle,
      })),
    },
    problems,
  };
}

/** Whether every logsource field the filter sets is the rule's (case-insensitive). */
function covers(filter: Record<string, string>, rule: Record<string, string>): boolean {
  return Object.entries(filter).every(([k, v]) => rule[k]?.toLowerCase() === v.toLowerCase());
}

/**
 * Apply filters to the loaded rules (in place: each filtered rule's tests gain the filter's
 * condition). A reference to no loaded rule, or to a rule outside the filter's logsource, is a problem.
 */
export function applyFilters(
  rules: CompiledRule[],
  filters: CompiledFilter[],
  names: Map<string, string>,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const f of filters) {
    const report = (message: string, pos: { line: number; column: number }) =>
      problems.push({ file: f.file, ...pos, message, ruleId: f.id, ruleTitle: f.title });
    let targets: CompiledRule[];
    if (f.rules === "any") targets = rules.filter((r) => covers(f.logsource, r.logsource));
    else {
      targets = [];
      f.rules.forEach((ref, i) => {
        const rule = byId.get(ref) ?? byId.get(names.get(ref) ?? "");
        const pos = f.rulePositions[i] ?? f;
        if (!rule) report(`filter refers to "${ref}", which is no loaded rule id or name`, pos);
        else if (!covers(f.logsource, rule.logsource))
          report(`filter's logsource does not cover rule "${ref}"`, pos);
        else targets.push(rule);
      });
    }
    for (const rule of targets) addCondition(rule, f.test);
  }
  return problems;
}

function addCondition(rule: CompiledRule, filterTest: Test): void {
  const test = rule.test;
  const specialize = rule.specialize;
  // One context for both halves: the rule's and the filter's tests share the record's caches.
  const both: Test = (record, ctx) => test(record, ctx) && filterTest(record, ctx);
  Object.assign(rule, {
    test: withContext(both),
    specialize: (implied: readonly ("eventName" | "eventSource")[]) => {
      const t = specialize(implied);
      return withContext((record, ctx) => t(record, ctx) && filterTest(record, ctx));
    },
    matches: (record: Record<string, unknown>) => both(record, new EvalContext(record)),
  } satisfies Partial<CompiledRule> & { test: RecordTest });
}
