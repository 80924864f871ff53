// Helpers for the rule engine tests: compile a rule from a detection snippet.
import {
  type CompiledRule,
  compileRuleText,
  formatRuleProblem,
  type RuleProblem,
} from "../../src/rules/index.ts";

const HEADER = "title: Test rule\nid: test-rule\nlogsource:\n  product: aws\n  service: cloudtrail\n";

/** The full rule text for a detection section written without its `detection:` line. */
export function ruleText(detection: string): string {
  const body = detection
    .trim()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return `${HEADER}detection:\n${body}\n`;
}

/** Compile a detection snippet; throws with the located problems when it does not compile. */
export function rule(detection: string, placeholders?: Record<string, string[]>): CompiledRule {
  const r = compileRuleText(ruleText(detection), "t.yml", { placeholders });
  if (!r.rule) throw new Error(r.problems.map(formatRuleProblem).join("\n"));
  return r.rule;
}

/** The problems of a detection snippet that must not compile, formatted. */
export function problemsOf(detection: string, placeholders?: Record<string, string[]>): string[] {
  return compileRuleText(ruleText(detection), "t.yml", { placeholders }).problems.map(formatRuleProblem);
}

/** The problems of a whole rule text. */
export function problemsOfText(text: string): RuleProblem[] {
  return compileRuleText(text, "t.yml").problems;
}

/** Compile `field: value` (YAML) as the only selection and test one record. */
export function matches(entry: string, record: Record<string, unknown>): boolean {
  return rule(`selection:\n  ${entry}\ncondition: selection`).matches(record);
}
