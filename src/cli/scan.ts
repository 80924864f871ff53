// `trailwarden scan`: evaluate the rules on CloudTrail records.
//   scan --config FILE [--output FILE] [--since DURATION|TIMESTAMP]   incremental, over logs.sources
//   scan --rules PATH [--rules PATH...] --logs PATH --output FILE      one-off, over local files
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfigFile, withDefaults } from "../config/load.ts";
import { loadPlaceholdersFile } from "../config/placeholders.ts";
import type { Config } from "../config/types.ts";
import { writeScanOutputs } from "../daemon/outputs.ts";
import { startScanWorkers } from "../daemon/scan-workers.ts";
import type { Detection } from "../logs/detection.ts";
import type { DetectionSpill } from "../logs/detection-spill.ts";
import { fileLimits } from "../logs/judge.ts";
import { scanLocalSpilled } from "../logs/local.ts";
import type { ScanSummary } from "../logs/summary.ts";
import type { ScanWorkerPool } from "../logs/workers/pool.ts";
import { scanReportJson } from "../report/scan-json.ts";
import type { ScanReport } from "../report/scan-report.ts";
import {
  correlatorFactory,
  DEFAULT_CORRELATION_SETTINGS,
  formatRuleProblem,
  type LoadedRules,
  loadRules,
  type RuleSources,
  readRuleSources,
} from "../rules/index.ts";
import { loadConfiguredRules, noRulesMessage } from "../rules/required.ts";
import { createLogger, type Logger } from "../util/logger.ts";
import { version } from "../version.ts";
import { type Command, EXIT, parseTime, UsageError } from "./command.ts";
import { chooseOutput, emitChunks, outputOptions, renderReport } from "./format.ts";
import { startProgress } from "./progress.ts";

const USAGE = `usage: trailwarden scan --config FILE [--format FORMAT] [--output FILE] [--since DURATION|TIMESTAMP]
                        [--workers N] [--quiet]
       trailwarden scan --config FILE --backfill --since DURATION|TIMESTAMP [--rule ID...]
                        [--format FORMAT] [--output FILE] [--workers N] [--quiet]
       trailwarden scan --rules PATH [--rules PATH...] --logs PATH [--logs PATH...] [--format FORMAT]
                        [--placeholders FILE] [--output FILE] [--workers N] [--quiet]

  With --config: read the new records of every logs.sources URL (s3://, sqs://, file://), keep
  progress in state.dir, append each new detection to <output.dir>/detections.jsonl, write the
  run's report to <output.dir>/latest-scan.json and to --output (or print it; "-" is stdout).
  Running it again reads only what is new.
  With --logs: scan local CloudTrail files (.json, .json.gz, .jsonl, .ndjson, optionally gzipped)
  once, without state; the report holds the summary and every detection in a stable order.

  --format  table, json, html or ocsf (default: table on a terminal, else json)
  --output  write the report to this file (default: stdout; - is stdout)
  --placeholders FILE
            (with --logs) |expand placeholder values, a YAML map name: [value, ...] as for
            \`rules validate --placeholders\`; not with --config, whose placeholders are used
  --quiet   no progress line on stderr (shown only when stderr is a terminal)
  --since   first run only (no cursor yet): start at this point instead of the look-back; a
            duration back from now (30m, 12h, 7d, 2w) or an ISO 8601 timestamp. Once a cursor
            exists it is ignored: to look back, use --backfill.
  --backfill  with --config and --since: run the rules over the history of the s3:// and file://
            sources from --since to now, without using or moving the incremental cursors and file
            marks; emit only detections whose id is not already in the state store (so running it
            again emits nothing new). sqs:// sources cannot be backfilled (a queue holds only new
            files) and are skipped. Correlations run over the backfilled records only, in memory.
            The report goes to --output (latest-scan.json is left alone).
  --rule    with --backfill, repeatable: only these rules (ids or names of rules or correlations)
  --workers worker threads that read and judge log files (default: logs.workers, the available
            cores; 0: all on this thread)
  Exit: 0 done; 1 some rule did not load (the others ran); 2 bad usage or config, or no rule
          loaded (nothing is read then); 130 interrupted (SIGINT/SIGTERM; no summary written);
        3 some log file, S3 folder or source could not be read (tried again next run), an SQS
          message was set aside, or the state or output folder failed (disk full, I/O error);
          the summary's errors (or the message) say which.`;

/** 128 + SIGINT, as shells report an interrupted command (also for SIGTERM). */
const EXIT_INTERRUPTED = 130;

export type { ScanReport } from "../report/scan-report.ts";

/** --since: "30m", "12h", "7d", "2w" back from now, or an ISO timestamp. */
export function parseSince(value: string, now = new Date()): Date {
  return parseTime("--since", value, now);
}

/**
 * --rules paths when given, else the config's `rules`. Zero rules refuses the scan (exit 2) before any
 * file is read: a located config error for the config's `rules`, a usage error for --rules.
 */
async function loadScanRules(
  cliPaths: string[],
  config: Config | undefined,
  placeholders: Record<string, string[]>,
  sources: RuleSources,
): Promise<LoadedRules> {
  if (!cliPaths.length) {
    if (!config) throw new UsageError("no rules: give --rules PATH or `rules` in the config");
    return loadConfiguredRules(config, sources);
  }
  for (const p of cliPaths) if (!existsSync(p)) throw new UsageError(`--rules ${p}: no such file or folder`);
  const loaded = await loadRules(cliPaths, { placeholders, selection: config?.ruleSelection }, sources);
  if (loaded.ruleSet.rules.length === 0) {
    for (const p of loaded.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    throw new UsageError(`--rules: ${noRulesMessage(cliPaths, loaded)}`);
  }
  return loaded;
}

export const scanCommand: Command = {
  name: "scan",
  summary: "evaluate rules on new CloudTrail records (S3, SQS, local files)",
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        ...outputOptions,
        since: { type: "string" },
        backfill: { type: "boolean" },
        rule: { type: "string", multiple: true },
        rules: { type: "string", multiple: true },
        logs: { type: "string", multiple: true },
        workers: { type: "string" },
        placeholders: { type: "string" },
        quiet: { type: "boolean" },
      },
    });
    if (!values.config && !values.logs?.length)
      throw new UsageError("give --config FILE, or --rules and --logs");
    if (values.backfill && (!values.config || values.logs?.length))
      throw new UsageError("--backfill reads the config's logs.sources: give --config FILE, not --logs");
    if (values.backfill && !values.since)
      throw new UsageError("--backfill needs --since DURATION|TIMESTAMP (how far back to go)");
    if (values.rule?.length && !values.backfill) throw new UsageError("--rule goes with --backfill");
    if (values.placeholders && values.config)
      throw new UsageError("give --placeholders or --config, not both (the config has its own placeholders)");
    const target = chooseOutput(values, ["table", "json", "html", "ocsf"]);
    const config: Config | undefined = values.config ? loadConfigFile(values.config) : undefined;
    const placeholders = values.placeholders
      ? loadPlaceholdersFile(values.placeholders)
      : (config?.placeholders ?? {});
    const logger = createLogger({ level: config?.logLevel ?? "info" });
    const settings = config ?? withDefaults({}, process.cwd());
    const workers = values.workers === undefined ? settings.logs.workers : parseWorkers(values.workers);
    const since = values.since ? parseSince(values.since) : undefined;
    // No rule is a config error, before any file is read or any message received.
    const rulePaths = values.rules?.length ? values.rules : (config?.rules ?? []);
    // The rule files are read once, here; this thread and every worker compile these same texts.
    const sources = await readRuleSources(rulePaths);
    const loading = loadScanRules(values.rules ?? [], config, placeholders, sources);
    // The workers compile the rules while this thread does (each is checked against this thread's
    // set when both are done), instead of after it.
    const compiled = loading.then((l) => l.ruleSet.rules);
    compiled.catch(() => {});
    const starting = startScanWorkers(
      workers,
      { paths: rulePaths, placeholders, selection: config?.ruleSelection, sources },
      compiled,
    );
    let loaded: LoadedRules;
    try {
      loaded = await loading;
    } catch (err) {
      // The rules' own error (a usage or config error) is what the user gets, not a worker's.
      await starting.then(
        (p) => p?.close(),
        () => {},
      );
      throw err;
    }
    for (const p of loaded.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    for (const n of loaded.notes) process.stderr.write(`${formatRuleProblem(n)}\n`);
    const pool = await starting;
    const report: ScanReport = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version },
      rules: {
        loaded: loaded.ruleSet.rules.length,
        problems: loaded.problems.map(formatRuleProblem),
        ...(loaded.notes.length ? { notes: loaded.notes.map(formatRuleProblem) } : {}),
      },
      summary: undefined as unknown as ScanSummary,
    };
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const progress = startProgress("scan", { quiet: values.quiet });
    // --logs: the detections wait in a temp file for the report, not in memory.
    let spilled: DetectionSpill | undefined;
    try {
      if (values.logs?.length) {
        const out = await scanLocalSpilled({
          paths: values.logs,
          detector: loaded.ruleSet,
          concurrency: config?.logs.concurrency,
          logger,
          includeEvent: config?.output.includeEvent,
          pool,
          limits: fileLimits(settings),
          signal: controller.signal,
          correlator: correlatorFactory(
            loaded.correlations,
            config?.logs.correlation ?? DEFAULT_CORRELATION_SETTINGS,
          ),
        });
        report.summary = out.summary;
        spilled = out.detections;
      } else {
        // JSON keeps today's shape (the summary; detections are in detections.jsonl); HTML and OCSF
        // are about the detections, so they get this run's new ones.
        const fresh: Detection[] | undefined =
          target.format === "html" || target.format === "ocsf" ? [] : undefined;
        if (values.backfill) {
          const { backfill } = await import("./backfill.ts");
          report.summary = await backfill({
            config: config!,
            loaded,
            since: since!,
            rules: values.rule ?? [],
            logger,
            pool,
            signal: controller.signal,
            fresh,
          });
        } else await incremental(report, config!, loaded, logger, since, pool, fresh, controller.signal);
        if (fresh) report.detections = fresh;
      }
    } catch (err) {
      spilled?.close();
      throw err;
    } finally {
      progress.stop();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      await pool?.close();
    }
    try {
      if (controller.signal.aborted) {
        // Files finished before the signal are marked done (with --config); the rest are read by the
        // next run. The summary would describe a partial run, so none is written.
        process.stderr.write("trailwarden scan: interrupted; no summary written\n");
        return EXIT_INTERRUPTED;
      }
      // As the daemon does: latest-scan.json describes the last complete scan.
      if (config && !values.logs?.length && !values.backfill) writeScanOutputs(config.output.dir, report);
      if (spilled && target.format === "json")
        await emitChunks(target, scanReportJson(report, spilled.texts()));
      else {
        if (spilled) report.detections = spilled.toArray();
        await renderReport(target, { scans: [report] });
      }
    } finally {
      spilled?.close();
    }
    if (report.summary.errors.length) return EXIT.ERROR;
    return loaded.problems.length ? EXIT.FAIL : EXIT.OK;
  },
};

function parseWorkers(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 256)
    throw new UsageError(`--workers ${value}: expected a whole number from 0 to 256`);
  return Number(value);
}

/** The incremental scan over logs.sources, until done or `signal` (SIGINT / SIGTERM). */
async function incremental(
  report: ScanReport,
  config: Config,
  loaded: LoadedRules,
  logger: Logger,
  since: Date | undefined,
  pool: ScanWorkerPool | undefined,
  fresh: Detection[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  // Loaded here: the incremental scan brings the AWS SDK, which a local scan does not need.
  const { runScan } = await import("../logs/scan.ts");
  report.summary = await runScan({
    config,
    detector: loaded.ruleSet,
    logger,
    since,
    signal,
    pool,
    correlator: correlatorFactory(loaded.correlations, config.logs.correlation),
    onDetection: fresh ? (d) => void fresh.push(d) : undefined,
  });
}
