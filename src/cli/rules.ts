// `trailwarden rules validate|test [PATH...]`: tools for rule authors.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadConfigFile } from "../config/load.ts";
import { locate, parseYaml, type SourceProblem } from "../config/yaml.ts";
import {
  formatRuleProblem,
  formatRuleWarning,
  loadRules,
  type RuleProblem,
  type RuleWarning,
} from "../rules/index.ts";
import { type RuleTestReport, runRuleTests } from "../rules/tests.ts";
import { type Command, EXIT, UsageError } from "./command.ts";

/** The rules shipped with the package, found from this file so an installed package finds them too. */
export const BUNDLED_RULES = fileURLToPath(new URL("../../rules", import.meta.url));

const USAGE = `usage: trailwarden rules validate [PATH...] [--placeholders FILE | --config FILE] [--strict]
       trailwarden rules test [PATH...] [--placeholders FILE | --config FILE] [--require-tests]

  validate   load every rule (*.yml, *.yaml; not *.tests.yaml) under PATH; list every problem
             of every file, errors as file:line:column: [rule id] message and lint warnings as
             file:line:column: warning CODE [rule id] message (codes: docs/rules.md). Exit 0
             when all load (warnings allowed), 1 otherwise.
  test       run each rule's test cases from its sibling <rule>.tests.yaml; print PASS/FAIL per
             case. Exit 1 on any failing case or load problem. PATH may be a rule file, a test
             file (its rule is found beside it) or a folder.

  PATH                 rule files, test files or folders, read recursively (default: the rules
                       bundled with trailwarden, or the config's rules when --config is given)
  --placeholders FILE  YAML map of |expand placeholder values: name: [value, ...]
  --config FILE        take rules and placeholders from a trailwarden config file
  --require-tests      (test) a rule without a test file counts as a failure
  --strict             (validate) a lint warning counts as a failure`;

interface Options {
  paths: string[];
  placeholders: Record<string, string[]>;
  requireTests: boolean;
  strict: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      placeholders: { type: "string" },
      config: { type: "string" },
      "require-tests": { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
    },
  });
  if (values.placeholders && values.config) throw new UsageError("give --placeholders or --config, not both");
  let placeholders: Record<string, string[]> = {};
  let defaultPaths = [BUNDLED_RULES];
  if (values.config) {
    const config = loadConfigFile(values.config);
    placeholders = config.placeholders;
    defaultPaths = config.rules;
  } else if (values.placeholders) {
    placeholders = loadPlaceholdersFile(values.placeholders);
  }
  return {
    paths: positionals.length ? positionals : defaultPaths,
    placeholders,
    requireTests: values["require-tests"] ?? false,
    strict: values.strict ?? false,
  };
}

/** A YAML map `name: value` or `name: [values]`; problems are located like config errors. */
function loadPlaceholdersFile(file: string): Record<string, string[]> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, line: 1, column: 1, message: `cannot read: ${(err as Error).message}` }]);
  }
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  const value = parsed.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError([
      { file, ...locate(parsed, []), message: "placeholders must be a map of name: values" },
    ]);
  }
  const out: Record<string, string[]> = {};
  const problems: SourceProblem[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || !list.every((x) => typeof x === "string")) {
      problems.push({
        file,
        ...locate(parsed, [name]),
        message: `placeholder "${name}" must be a string or a list of strings`,
      });
      continue;
    }
    out[name] = list as string[];
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

async function validate(opts: Options): Promise<number> {
  const { ruleSet, problems, warnings, files, correlations, filters } = await loadRules(opts.paths, {
    placeholders: opts.placeholders,
  });
  for (const line of validateListing(files, problems, warnings)) process.stdout.write(`${line}\n`);
  // A file may hold several rules, correlations and filters: count the files that gave at least one.
  const loadedFiles = new Set(
    [...ruleSet.rules, ...correlations.correlations, ...filters].map((r) => r.file),
  );
  const counts = `${problems.length ? plural(problems.length, "problem") : "no problems"}${warnings.length ? `, ${plural(warnings.length, "warning")}` : ""}`;
  process.stdout.write(`${loadedFiles.size} of ${files.length} rule files loaded; ${counts}\n`);
  if (problems.length) return EXIT.FAIL;
  if (files.length === 0) {
    process.stdout.write(`no rule files under ${opts.paths.join(", ")}\n`);
    return EXIT.FAIL;
  }
  return opts.strict && warnings.length > 0 ? EXIT.FAIL : EXIT.OK;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Every error and warning, one line each, grouped by file (in load order) and in source order within
 * a file, so one run shows all that is wrong with each file.
 */
export function validateListing(
  files: readonly string[],
  problems: readonly RuleProblem[],
  warnings: readonly RuleWarning[],
): string[] {
  const order = new Map(files.map((f, i) => [f, i]));
  const entries = [
    ...problems.map((p) => ({ p, text: formatRuleProblem(p) })),
    ...warnings.map((w) => ({ p: w as RuleProblem, text: formatRuleWarning(w) })),
  ].map((e, seq) => ({ ...e, seq, file: order.get(e.p.file) ?? files.length }));
  entries.sort(
    (a, b) =>
      a.file - b.file ||
      (a.p.file === b.p.file ? a.p.line - b.p.line || a.p.column - b.p.column : 0) ||
      a.seq - b.seq,
  );
  return entries.map((e) => e.text);
}

const TEST_FILE = /\.tests\.ya?ml$/i;

/**
 * What `rules test` runs on: folders as given; a rule file or a test file stands for the pair of
 * both, so its folder is loaded and `keep` narrows the report to the files named and their partners.
 */
export function testScope(paths: string[]): { paths: string[]; keep: (file: string) => boolean } {
  const folders: string[] = [];
  const files = new Set<string>();
  const load = new Set<string>();
  for (const p of paths) {
    if (!existsSync(p) || statSync(p).isDirectory()) {
      load.add(p); // a missing path is reported by the loader
      if (existsSync(p)) folders.push(`${resolve(p)}${sep}`);
      continue;
    }
    const abs = resolve(p);
    const stem = TEST_FILE.test(abs) ? abs.replace(TEST_FILE, "") : abs.replace(/\.ya?ml$/i, "");
    for (const partner of [`${stem}.yml`, `${stem}.yaml`, `${stem}.tests.yaml`, `${stem}.tests.yml`])
      files.add(partner);
    files.add(abs);
    load.add(dirname(p));
  }
  const keep = (file: string) => {
    const abs = resolve(file);
    return files.has(abs) || folders.some((f) => abs.startsWith(f));
  };
  return { paths: [...load], keep };
}

function narrow(report: RuleTestReport, keep: (file: string) => boolean): RuleTestReport {
  return {
    cases: report.cases.filter((c) => keep(c.file)),
    problems: report.problems.filter((p) => keep(p.file)),
    untested: report.untested.filter((r) => keep(r.file)),
    rules: report.rules.filter((r) => keep(r.file)),
  };
}

async function test(opts: Options): Promise<number> {
  const scope = testScope(opts.paths);
  const report = narrow(await runRuleTests(scope.paths, { placeholders: opts.placeholders }), scope.keep);
  for (const c of report.cases) {
    const where = `${c.file}:${c.line}:${c.column}`;
    if (c.passed) process.stdout.write(`PASS ${where}: [${c.ruleId}] ${c.name}\n`);
    else if (c.expect === "correlation") {
      process.stdout.write(`FAIL ${where}: [${c.ruleId}] ${c.name}: ${c.detail}\n`);
    } else {
      const got = c.expect === "match" ? "the rule did not match" : "the rule matched";
      process.stdout.write(`FAIL ${where}: [${c.ruleId}] ${c.name}: expected ${c.expect}, but ${got}\n`);
    }
  }
  for (const p of report.problems) process.stdout.write(`ERROR ${formatRuleProblem(p)}\n`);
  for (const r of report.untested) {
    process.stdout.write(`${opts.requireTests ? "FAIL" : "NOTE"} ${r.file}: [${r.id}] has no test file\n`);
  }
  const failed = report.cases.filter((c) => !c.passed).length;
  const passed = report.cases.length - failed;
  process.stdout.write(
    `${passed} passed, ${failed} failed, ${report.problems.length} problems, ${report.untested.length} rules without tests\n`,
  );
  const bad = failed > 0 || report.problems.length > 0 || (opts.requireTests && report.untested.length > 0);
  if (report.rules.length === 0 && report.problems.length === 0) {
    process.stdout.write(`no rules under ${opts.paths.join(", ")}\n`);
    return EXIT.FAIL;
  }
  return bad ? EXIT.FAIL : EXIT.OK;
}

export const rulesCommand: Command = {
  name: "rules",
  summary: "validate rule files, or run their tests",
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "validate") return validate(parseOptions(rest));
    if (sub === "test") return test(parseOptions(rest));
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand: validate or test");
  },
};
