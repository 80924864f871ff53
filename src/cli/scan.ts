// `trailwarden scan`: evaluate the rules on CloudTrail records.
//   scan --config FILE [--output FILE] [--since DURATION|TIMESTAMP]   incremental, over logs.sources
//   scan --rules PATH [--rules PATH...] --logs PATH --output FILE      one-off, over local files
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { scanLocal } from "../logs/local.ts";
import { runScan } from "../logs/scan.ts";
import type { ScanSummary } from "../logs/summary.ts";
import { formatRuleProblem, type LoadedRules, loadRules } from "../rules/index.ts";
import { loadConfiguredRules, noRulesMessage } from "../rules/required.ts";
import { writeJsonAtomic } from "../util/fs.ts";
import { createLogger } from "../util/logger.ts";
import { version } from "../version.ts";
import { type Command, EXIT, UsageError } from "./command.ts";

const USAGE = `usage: trailwarden scan --config FILE [--output FILE] [--since DURATION|TIMESTAMP]
       trailwarden scan --rules PATH [--rules PATH...] --logs PATH [--logs PATH...] [--output FILE]

  With --config: read the new records of every logs.sources URL (s3://, sqs://, file://), keep
  progress in state.dir, append each new detection to <output.dir>/detections.jsonl, and write
  the run's summary to --output (or print it). Running it again reads only what is new.
  With --logs: scan local CloudTrail files (.json, .json.gz, .jsonl, .ndjson, optionally gzipped)
  once, without state; the report holds the summary and every detection in a stable order.

  --since  first run only: start at this point instead of the look-back; a duration back from
           now (30m, 12h, 7d, 2w) or an ISO 8601 timestamp
  Exit: 0 done; 1 some rule did not load (the others ran); 2 bad usage or config, or no rule
          loaded (nothing is read then); 130 interrupted (SIGINT/SIGTERM; no summary written);
        3 some log file, S3 folder or source could not be read (tried again next run), or an SQS
          message was set aside; the summary's errors say which.`;

/** 128 + SIGINT, as shells report an interrupted command (also for SIGTERM). */
const EXIT_INTERRUPTED = 130;

export interface ScanReport {
  schemaVersion: 1;
  tool: { name: "trailwarden"; version: string };
  rules: { loaded: number; problems: string[] };
  summary: ScanSummary;
  detections?: unknown[];
}

/** "30m", "12h", "7d", "2w" back from now, or an ISO timestamp. */
export function parseSince(value: string, now = new Date()): Date {
  const m = /^(\d+)([smhdw])$/.exec(value.trim());
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as "s" | "m" | "h" | "d" | "w"];
    return new Date(now.getTime() - Number(m[1]) * unit * 1000);
  }
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t))
    throw new UsageError(`--since ${value}: expected a duration (30m, 12h, 7d, 2w) or an ISO timestamp`);
  return new Date(t);
}

/**
 * --rules paths when given, else the config's `rules`. Zero rules refuses the scan (exit 2) before any
 * file is read: a located config error for the config's `rules`, a usage error for --rules.
 */
async function loadScanRules(cliPaths: string[], config: Config | undefined): Promise<LoadedRules> {
  if (!cliPaths.length) {
    if (!config) throw new UsageError("no rules: give --rules PATH or `rules` in the config");
    return loadConfiguredRules(config);
  }
  for (const p of cliPaths) if (!existsSync(p)) throw new UsageError(`--rules ${p}: no such file or folder`);
  const loaded = await loadRules(cliPaths, { placeholders: config?.placeholders ?? {} });
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
        output: { type: "string" },
        since: { type: "string" },
        rules: { type: "string", multiple: true },
        logs: { type: "string", multiple: true },
      },
    });
    if (!values.config && !values.logs?.length)
      throw new UsageError("give --config FILE, or --rules and --logs");
    const config: Config | undefined = values.config ? loadConfigFile(values.config) : undefined;
    const logger = createLogger({ level: config?.logLevel ?? "info" });
    const loaded = await loadScanRules(values.rules ?? [], config);
    for (const p of loaded.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    const report: ScanReport = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version },
      rules: { loaded: loaded.ruleSet.rules.length, problems: loaded.problems.map(formatRuleProblem) },
      summary: undefined as unknown as ScanSummary,
    };
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      if (values.logs?.length) {
        const out = await scanLocal({
          paths: values.logs,
          detector: loaded.ruleSet,
          concurrency: config?.logs.concurrency,
          logger,
          signal: controller.signal,
        });
        report.summary = out.summary;
        report.detections = out.detections;
      } else {
        report.summary = await runScan({
          config: config!,
          detector: loaded.ruleSet,
          logger,
          since: values.since ? parseSince(values.since) : undefined,
          signal: controller.signal,
        });
      }
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    if (controller.signal.aborted) {
      // Files finished before the signal are marked done (with --config); the rest are read by the
      // next run. The summary would describe a partial run, so none is written.
      process.stderr.write("trailwarden scan: interrupted; no summary written\n");
      return EXIT_INTERRUPTED;
    }
    if (values.output) writeJsonAtomic(values.output, report);
    else process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.summary.errors.length) return EXIT.ERROR;
    return loaded.problems.length ? EXIT.FAIL : EXIT.OK;
  },
};
