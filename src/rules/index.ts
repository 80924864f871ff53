// The rule engine's entry point: load rule files into a RuleSet (contracts.md, "Rules engine").
import { warningsOf } from "./compile.ts";
import { type CorrelationSet, resolveCorrelations } from "./correlation/resolve.ts";
import type { CorrelationDef } from "./correlation/types.ts";
import { applyFilters, type CompiledFilter } from "./filters.ts";
import { loadRuleFile, type RuleSources, readRuleSources } from "./load.ts";
import { RuleSet } from "./ruleset.ts";
import { chooseRules, type ExcludedRule } from "./select.ts";
import type { CompiledRule, LoadRulesOptions, RuleProblem, RuleWarning } from "./types.ts";

export { WARNING_CODES } from "./analyse.ts";
export { correlatorFactory, DEFAULT_CORRELATION_SETTINGS } from "./correlation/factory.ts";
export type { CompiledCorrelation, CorrelationSet } from "./correlation/resolve.ts";
export { selectCorrelations } from "./correlation/select.ts";
export type { CorrelationEvent } from "./correlation/types.ts";
export {
  compileRuleText,
  findFiles,
  isRuleFile,
  isRuleTestFile,
  type RuleSources,
  readRuleSources,
} from "./load.ts";
export { RuleSet } from "./ruleset.ts";
export type { ExcludedRule } from "./select.ts";
export type { CompiledRule, LoadRulesOptions, RulePins, RuleProblem, RuleWarning } from "./types.ts";

export interface LoadedRules {
  ruleSet: RuleSet;
  /** Errors: each cost a rule (or a file) its loading. */
  problems: RuleProblem[];
  /** Lint warnings of the rules and filters that loaded (docs/rules.md, "Lint warnings"); they stop nothing. */
  warnings: RuleWarning[];
  /** Every rule file found (loaded or not). */
  files: string[];
  /** The correlation rules, resolved against the loaded rules (their base rules carry projections). */
  correlations: CorrelationSet;
  /** The Sigma filters, already applied to the rules they cover. */
  filters: CompiledFilter[];
  /** Rule `name` → id (base rules and correlations), for selecting rules by name. */
  names?: ReadonlyMap<string, string>;
  /** Located notes that are not problems: rules left out by their status (rules.includeStatuses). */
  notes: RuleProblem[];
  /** Base rules and correlations the selection left out, and why. */
  excluded: ExcludedRule[];
  /** Rule or correlation id → why it loads although the selection leaves it out. */
  kept: ReadonlyMap<string, string>;
  /** The rule files' texts as they were read for this load (what the scan's workers compile). */
  sources: RuleSources;
}

/**
 * Load every rule file under `paths` (files or directories, read recursively). `sources`: the files
 * already read (by readRuleSources over the same paths); then the disk is not touched.
 */
export async function loadRules(
  paths: string[],
  opts: LoadRulesOptions = {},
  sources?: RuleSources,
): Promise<LoadedRules> {
  const found = sources ?? (await readRuleSources(paths));
  const problems = [...found.problems];
  const rules: CompiledRule[] = [];
  const warnings: RuleWarning[] = [];
  const byId = new Map<string, CompiledRule>();
  const defs: CorrelationDef[] = [];
  const filters: CompiledFilter[] = [];
  const names = new Map<string, string>();
  // In file order, so the rule order stays stable.
  for (const [i, file] of found.files.entries()) {
    const loaded = loadRuleFile(file, opts, found.texts[i]);
    problems.push(...loaded.problems);
    defs.push(...loaded.correlations);
    filters.push(...loaded.filters);
    for (const [name, id] of loaded.names) if (!names.has(name)) names.set(name, id);
    for (const rule of loaded.rules) addRule(rule);
  }
  function addRule(rule: CompiledRule): boolean {
    const first = byId.get(rule.id);
    if (first) {
      problems.push({
        file: rule.file,
        line: rule.line,
        column: rule.column,
        message: `duplicate rule id: ${first.file} already defines it; this rule is skipped`,
        ruleId: rule.id,
        ruleTitle: rule.title,
      });
      return false;
    }
    byId.set(rule.id, rule);
    rules.push(rule);
    warnings.push(...warningsOf(rule));
    return true;
  }
  for (const f of filters) warnings.push(...f.warnings);
  // The selection (rules.includeStatuses, select, exclude) before anything refers across rules.
  const chosen = chooseRules(rules, defs, filters, names, opts.selection);
  // Filters first: they change what a base rule matches, which correlations then count.
  problems.push(...applyFilters(chosen.rules, chosen.filters, names));
  const resolved = resolveCorrelations(chosen.rules, chosen.correlations, names);
  problems.push(...resolved.problems);
  return {
    ruleSet: new RuleSet(chosen.rules),
    problems,
    warnings,
    files: found.files,
    correlations: resolved.set,
    filters: chosen.filters,
    names,
    notes: chosen.notes,
    excluded: chosen.excluded,
    kept: chosen.kept,
    sources: found,
  };
}

/** "file:line:col: warning CODE [id or title] message" */
export function formatRuleWarning(w: RuleWarning): string {
  const who = w.ruleId ?? w.ruleTitle;
  return `${w.file}:${w.line}:${w.column}: warning ${w.code} ${who ? `[${who}] ` : ""}${w.message}`;
}

/** "file:line:col: [id or title] message" */
export function formatRuleProblem(p: RuleProblem): string {
  const who = p.ruleId ?? p.ruleTitle;
  return `${p.file}:${p.line}:${p.column}: ${who ? `[${who}] ` : ""}${p.message}`;
}
