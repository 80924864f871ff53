// `trailwarden rules validate|test|list [PATH...]`: tools for rule authors.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../config/load.ts";
import { loadPlaceholdersFile } from "../config/placeholders.ts";
import type { RuleSelection } from "../config/types.ts";
import {
  formatRuleProblem,
  formatRuleWarning,
  loadRules,
  type RuleProblem,
  type RuleWarning,
} from "../rules/index.ts";
import { type RuleTestReport, runRuleTests } from "../rules/tests.ts";
import { type Command, EXIT, UsageError } from "./command.ts";
import { listRules } from "./rules-list.ts";

/** The rules shipped with the package, found from this file so an installed package finds them too. */
export const BUNDLED_RULES = fileURLToPath(new URL("../../rules", import.meta.url));

const USAGE = `usage: trailwarden rules validate [PATH...] [--placeholders FILE | --config FILE] [--strict]
       trailwarden rules test [PATH...] [--placeholders FILE | --config FILE] [--require-tests]
       trailwarden rules list [PATH...] [--placeholders FILE | --config FILE] [--format table|json]
                              [--output FILE] [--all]

  validate   load every rule (*.yml, *.yaml; not *.tests.yaml) under PATH; list every problem
             of every file, errors as file:line:column: [rule id] message and lint warnings as
             file:line:column: warning CODE [rule id] message (codes: docs/rules.md). Exit 0
             when all load (warnings allowed), 1 otherwise.
  test       run each rule's test cases from its sibling <rule>.tests.yaml; print PASS/FAIL per
             case. Exit 1 on any failing case or load problem. PATH may be a rule file, a test
             file (its rule is found beside it) or a folder. A failing case prints how the rule
             judged the record: each selection's failed items with the value seen, the condition.
  list       each rule's id, level, status, title, tags and index pins (the eventSource /
             eventName values it is tried on, or "every record"); each correlation's type, rules,
             group-by and timespan; each filter's rules. --format json: a stable JSON array.
             Problems and notes go to stderr. Exit 1 when a rule file does not load.

  Rules with status deprecated or unsupported do not load (rules.includeStatuses), each noted as
  file:line:column: [id] not loaded: status deprecated (rules.includeStatuses). With --config,
  the config's rules.includeStatuses, rules.select and rules.exclude decide which rules load.

  PATH                 rule files, test files or folders, read recursively (default: the rules
                       bundled with trailwarden, or the config's rules when --config is given)
  --placeholders FILE  YAML map of |expand placeholder values: name: [value, ...]
  --config FILE        take rules and placeholders from a trailwarden config file
  --require-tests      (test) a rule without a test file counts as a failure
  --strict             (validate) a lint warning counts as a failure
  --format FORMAT      (list) table or json (default: table on a terminal, else json)
  --output FILE        (list) write the listing to FILE (default: stdout)
  --all                (list) also list the rules the selection left out, with the reason`;

export interface RulesOptions {
  paths: string[];
  placeholders: Record<string, string[]>;
  /** The config's rules.includeStatuses / select / exclude; undefined: the defaults. */
  selection?: RuleSelection;
  requireTests: boolean;
  strict: boolean;
  /** list: --format, --output, --all */
  format?: string;
  output?: string;
  all: boolean;
}

function parseOptions(sub: string, argv: string[]): RulesOptions {
  const list = sub === "list";
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      placeholders: { type: "string" },
      config: { type: "string" },
      ...(sub === "test" ? { "require-tests": { type: "boolean", default: false } } : {}),
      ...(sub === "validate" ? { strict: { type: "boolean", default: false } } : {}),
      ...(list ? { format: { type: "string" }, output: { type: "string" }, all: { type: "boolean" } } : {}),
    },
  });
  if (values.placeholders && values.config) throw new UsageError("give --placeholders or --config, not both");
  let placeholders: Record<string, string[]> = {};
  let defaultPaths = [BUNDLED_RULES];
  let selection: RuleSelection | undefined;
  if (values.config) {
    const config = loadConfigFile(values.config);
    placeholders = config.placeholders;
    defaultPaths = config.rules;
    selection = config.ruleSelection;
  } else if (values.placeholders) {
    placeholders = loadPlaceholdersFile(values.placeholders);
  }
  return {
    paths: positionals.length ? positionals : defaultPaths,
    placeholders,
    selection,
    requireTests: values["require-tests"] === true,
    strict: values.strict === true,
    format: values.format as string | undefined,
    output: values.output as string | undefined,
    all: values.all === true,
  };
}

async function validate(opts: RulesOptions): Promise<number> {
  const loaded = await loadRules(opts.paths, { placeholders: opts.placeholders, selection: opts.selection });
  const { ruleSet, problems, warnings, files, correlations, filters, notes, excluded } = loaded;
  // Notes (rules left out by their status) are listed with their file's problems, but are not problems.
  for (const line of validateListing(files, problems, warnings, notes)) process.stdout.write(`${line}\n`);
  // A file may hold several rules, correlations and filters: count the files that gave at least one.
  // A rule the selection leaves out compiled all the same: its file loaded.
  const loadedFiles = new Set(
    [...ruleSet.rules, ...correlations.correlations, ...filters, ...excluded].map((r) => r.file),
  );
  const counts = `${problems.length ? plural(problems.length, "problem") : "no problems"}${warnings.length ? `, ${plural(warnings.length, "warning")}` : ""}`;
  const left = excluded.length ? `; ${plural(excluded.length, "rule")} left out by the selection` : "";
  process.stdout.write(`${loadedFiles.size} of ${files.length} rule files loaded; ${counts}${left}\n`);
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
 * Every error, warning and note, one line each, grouped by file (in load order) and in source order within
 * a file, so one run shows all that is wrong with each file.
 */
export function validateListing(
  files: readonly string[],
  problems: readonly RuleProblem[],
  warnings: readonly RuleWarning[],
  notes: readonly RuleProblem[] = [],
): string[] {
  const order = new Map(files.map((f, i) => [f, i]));
  const entries = [
    ...problems.map((p) => ({ p, text: formatRuleProblem(p) })),
    ...warnings.map((w) => ({ p: w as RuleProblem, text: formatRuleWarning(w) })),
    ...notes.map((n) => ({ p: n, text: formatRuleProblem(n) })),
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
    notes: report.notes.filter((n) => keep(n.file)),
    problems: report.problems.filter((p) => keep(p.file)),
    untested: report.untested.filter((r) => keep(r.file)),
    rules: report.rules.filter((r) => keep(r.file)),
  };
}

async function test(opts: RulesOptions): Promise<number> {
  const scope = testScope(opts.paths);
  const report = narrow(
    await runRuleTests(scope.paths, { placeholders: opts.placeholders, selection: opts.selection }),
    scope.keep,
  );
  for (const c of report.cases) {
    const where = `${c.file}:${c.line}:${c.column}`;
    if (c.passed) process.stdout.write(`PASS ${where}: [${c.ruleId}] ${c.name}\n`);
    else if (c.expect === "correlation") {
      process.stdout.write(`FAIL ${where}: [${c.ruleId}] ${c.name}: ${c.detail}\n`);
    } else {
      const got = c.expect === "match" ? "the rule did not match" : "the rule matched";
      process.stdout.write(`FAIL ${where}: [${c.ruleId}] ${c.name}: expected ${c.expect}, but ${got}\n`);
      for (const line of c.trace ?? []) process.stdout.write(`  ${line}\n`);
    }
  }
  for (const p of report.problems) process.stdout.write(`ERROR ${formatRuleProblem(p)}\n`);
  for (const n of report.notes) process.stdout.write(`NOTE ${formatRuleProblem(n)}\n`);
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
  summary: "validate rule files, run their tests, or list them",
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "validate") return validate(parseOptions(sub, rest));
    if (sub === "test") return test(parseOptions(sub, rest));
    if (sub === "list") return listRules(parseOptions(sub, rest));
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand: validate, test or list");
  },
};
