// Rule tests: a rule `foo.yml` may have a sibling `foo.tests.yaml` (or `.tests.yml`) listing records
// that must match and records that must not. Kept apart so rule files stay valid Sigma for other tools.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { validatorFor } from "../config/schema.ts";
import { ajvProblems, locate, parseYaml } from "../config/yaml.ts";
import { type CorrelationCase, runCorrelationCase } from "./correlation/tests.ts";
import { loadRules } from "./index.ts";
import { findFiles, isRuleTestFile, MAX_RULE_FILE_BYTES } from "./load.ts";
import { formatTrace, traceRule } from "./trace.ts";
import type { CompiledRule, LoadRulesOptions, RuleProblem } from "./types.ts";

export interface RuleTestCaseResult {
  /** The test file and where this case starts in it. */
  file: string;
  line: number;
  column: number;
  name: string;
  /** "correlation": a sequence of records and the correlation detections it must give. */
  expect: "match" | "nomatch" | "correlation";
  passed: boolean;
  ruleId: string;
  ruleTitle: string;
  /** A failed correlation case: what was expected and what fired. */
  detail?: string;
  /** A failed match / nomatch case: how the rule judged the record, line by line (see trace.ts). */
  trace?: string[];
}

export interface RuleTestReport {
  cases: RuleTestCaseResult[];
  /** Rule load problems and test file problems. */
  problems: RuleProblem[];
  /** Not failures: rules left out by their status, and test files not run because of that. */
  notes: RuleProblem[];
  /** Rules that loaded but have no test file. */
  untested: CompiledRule[];
  rules: readonly CompiledRule[];
}

interface TestFile {
  tests?: { name: string; expect: "match" | "nomatch"; rule?: string; record: Record<string, unknown> }[];
  correlations?: CorrelationCase[];
}

/** The rule file a test file belongs to: `x.tests.yaml` → `x.yml` or `x.yaml`. */
function ruleFileCandidates(testFile: string): string[] {
  const stem = testFile.replace(/\.tests\.ya?ml$/i, "");
  return [`${stem}.yml`, `${stem}.yaml`];
}

export async function runRuleTests(paths: string[], opts: LoadRulesOptions = {}): Promise<RuleTestReport> {
  const loaded = await loadRules(paths, opts);
  const problems = [...loaded.problems];
  const notes = [...loaded.notes];
  // A file may hold several rules (base rules and correlations in one collection).
  const rulesByFile = new Map<string, CompiledRule[]>();
  for (const r of loaded.ruleSet.rules) rulesByFile.set(r.file, [...(rulesByFile.get(r.file) ?? []), r]);
  const correlationsByFile = new Map<string, { id: string; title: string }[]>();
  for (const c of loaded.correlations.correlations) {
    correlationsByFile.set(c.file, [...(correlationsByFile.get(c.file) ?? []), c]);
  }
  const ruleFiles = new Set(loaded.files);
  const found = await findFiles(paths, isRuleTestFile);
  const cases: RuleTestCaseResult[] = [];
  const tested = new Set<CompiledRule>();
  for (const testFile of found.files) {
    const ruleFile = ruleFileCandidates(testFile).find((f) => ruleFiles.has(f));
    if (!ruleFile) {
      problems.push({
        file: testFile,
        line: 1,
        column: 1,
        message: `no rule file beside this test file (expected ${basename(ruleFileCandidates(testFile)[0])})`,
      });
      continue;
    }
    const fileRules = rulesByFile.get(ruleFile) ?? [];
    const correlations = correlationsByFile.get(ruleFile) ?? [];
    const rule = fileRules[0];
    // Rules of this file the selection left out: their cases are noted and not run. A case without
    // `rule` is about the file's first rule, which may be one of them.
    const excludedHere = loaded.excluded.filter((e) => e.file === ruleFile && e.kind === "rule");
    const firstLeftOut = excludedHere.find(
      (e) => !rule || e.line < rule.line || (e.line === rule.line && e.column < rule.column),
    );
    const parsed = await parseTestFile(testFile);
    if ("problems" in parsed) {
      problems.push(...parsed.problems.map((p) => ({ ...p, ruleId: rule?.id, ruleTitle: rule?.title })));
      continue;
    }
    if (parsed.value.correlations) {
      if (correlations.length === 0) {
        const leftOut = loaded.excluded.find((e) => e.file === ruleFile && e.kind === "correlation");
        (leftOut ? notes : problems).push({
          file: testFile,
          ...locate(parsed.parsed, ["correlations"], true),
          message: leftOut
            ? `correlation cases not run: [${leftOut.id}] not loaded: ${leftOut.reason}`
            : `correlation cases not run: ${basename(ruleFile)} has no correlation rule that loaded`,
        });
      } else {
        for (const r of fileRules) tested.add(r);
        const ids = new Set(correlations.map((c) => c.id));
        parsed.value.correlations.forEach((c, i) => {
          const outcome = runCorrelationCase(loaded.ruleSet, loaded.correlations, ids, c);
          const first = correlations[0];
          cases.push({
            file: testFile,
            ...locate(parsed.parsed, ["correlations", i]),
            name: c.name,
            expect: "correlation",
            passed: outcome.passed,
            ruleId: first.id,
            ruleTitle: first.title,
            detail: outcome.passed
              ? undefined
              : `expected [${outcome.want.join("; ")}], got [${outcome.got.join("; ")}]`,
          });
        });
      }
    }
    if (!parsed.value.tests) continue;
    if (!rule) {
      // A rule the selection left out (say, deprecated) is not a failure: its tests are skipped.
      const leftOut = loaded.excluded.find((e) => e.file === ruleFile);
      (leftOut ? notes : problems).push({
        file: testFile,
        line: 1,
        column: 1,
        message: leftOut
          ? `tests not run: [${leftOut.id}] not loaded: ${leftOut.reason}`
          : `tests not run: ${basename(ruleFile)} did not load`,
      });
      continue;
    }
    for (const [i, t] of parsed.value.tests.entries()) {
      const pos = locate(parsed.parsed, ["tests", i]);
      // In a file of several rules, `rule` names the one the case is about (else the first).
      const leftOut = t.rule === undefined ? firstLeftOut : excludedHere.find((e) => e.id === t.rule);
      if (leftOut) {
        notes.push({
          file: testFile,
          ...pos,
          message: `case "${t.name}" not run: [${leftOut.id}] not loaded: ${leftOut.reason}`,
        });
        continue;
      }
      const target = t.rule === undefined ? rule : fileRules.find((r) => r.id === t.rule);
      if (!target) {
        problems.push({
          file: testFile,
          ...locate(parsed.parsed, ["tests", i, "rule"]),
          message: `no rule "${t.rule}" in ${basename(ruleFile)}`,
        });
        continue;
      }
      tested.add(target);
      const matched = target.matches(t.record);
      const passed = matched === (t.expect === "match");
      // A failing case explains itself: selections, failed items and the values seen.
      const trace = passed ? undefined : await traceRule(target, t.record, loaded.filters, opts);
      cases.push({
        file: testFile,
        ...pos,
        name: t.name,
        expect: t.expect,
        passed,
        ruleId: target.id,
        ruleTitle: target.title,
        trace: trace && formatTrace(trace),
      });
    }
  }
  const untested = loaded.ruleSet.rules.filter((r) => !tested.has(r));
  return { cases, problems: [...found.problems, ...problems], notes, untested, rules: loaded.ruleSet.rules };
}

async function parseTestFile(
  file: string,
): Promise<{ value: TestFile; parsed: ReturnType<typeof parseYaml> } | { problems: RuleProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { problems: [{ file, line: 1, column: 1, message: `cannot read: ${(err as Error).message}` }] };
  }
  if (text.length > MAX_RULE_FILE_BYTES * 8) {
    return { problems: [{ file, line: 1, column: 1, message: "test file is too large" }] };
  }
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) return { problems: parsed.problems };
  const validate = validatorFor("rule-tests");
  if (!validate(parsed.value)) return { problems: ajvProblems(parsed, validate.errors) };
  return { value: parsed.value as TestFile, parsed };
}
