// `trailwarden scan`: evaluate the rules on CloudTrail records.
//   scan --config FILE [--output FILE] [--since DURATION|TIMESTAMP]   incremental, over logs.sources
//   scan --rules PATH [--rules PATH...] --logs PATH --output FILE      one-off, over local files
import { parseArgs } from "node:util";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { writeScanOutputs } from "../daemon/outputs.ts";
import type { Detection } from "../logs/detection.ts";
import { scanLocal } from "../logs/local.ts";
import { runScan } from "../logs/scan.ts";
import type { ScanSummary } from "../logs/summary.ts";
import type { ScanReport } from "../report/scan-report.ts";
import {
  correlatorFactory,
  DEFAULT_CORRELATION_SETTINGS,
  formatRuleProblem,
  loadRules,
} from "../rules/index.ts";
import { createLogger } from "../util/logger.ts";
import { version } from "../version.ts";
import { type Command, CommandError, EXIT, UsageError } from "./command.ts";
import { chooseOutput, outputOptions, renderReport } from "./format.ts";
import { startProgress } from "./progress.ts";

const USAGE = `usage: trailwarden scan --config FILE [--format FORMAT] [--output FILE] [--since DURATION|TIMESTAMP]
                        [--quiet]
       trailwarden scan --rules PATH [--rules PATH...] --logs PATH [--logs PATH...] [--format FORMAT]
                        [--output FILE] [--quiet]

  With --config: read the new records of every logs.sources URL (s3://, sqs://, file://), keep
  progress in state.dir, append each new detection to <output.dir>/detections.jsonl, write the
  run's report to <output.dir>/latest-scan.json and to --output (or print it; "-" is stdout). Running it again reads only what is new.
  With --logs: scan local CloudTrail files (.json, .json.gz, .jsonl, .ndjson, optionally gzipped)
  once, without state; the report holds the summary and every detection in a stable order.

  --format table, json, html or ocsf (default: table on a terminal, else json)
  --output write the report to this file (default: stdout; - is stdout)
  --quiet  no progress line on stderr (shown only when stderr is a terminal)
  --since  first run only: start at this point instead of the look-back; a duration back from
           now (30m, 12h, 7d, 2w) or an ISO 8601 timestamp
  Exit: 0 done; 1 some rule did not load (the others ran); 2 bad usage or config;
        3 some log file, S3 folder or source could not be read (tried again next run), or an SQS
          message was set aside; the summary's errors say which.`;

export type { ScanReport } from "../report/scan-report.ts";

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
        rules: { type: "string", multiple: true },
        logs: { type: "string", multiple: true },
        quiet: { type: "boolean" },
      },
    });
    if (!values.config && !values.logs?.length)
      throw new UsageError("give --config FILE, or --rules and --logs");
    const target = chooseOutput(values, ["table", "json", "html", "ocsf"]);
    const config: Config | undefined = values.config ? loadConfigFile(values.config) : undefined;
    const rulePaths = values.rules?.length ? values.rules : (config?.rules ?? []);
    if (!rulePaths.length) {
      if (!config) throw new UsageError("no rules: give --rules PATH");
      throw new CommandError(
        `no rules: ${config.file} sets no \`rules\` (add them there, or give --rules PATH)`,
      );
    }
    const logger = createLogger({ level: config?.logLevel ?? "info" });
    const loaded = await loadRules(rulePaths, { placeholders: config?.placeholders ?? {} });
    for (const p of loaded.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    const report: ScanReport = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version },
      rules: { loaded: loaded.ruleSet.rules.length, problems: loaded.problems.map(formatRuleProblem) },
      summary: undefined as unknown as ScanSummary,
    };
    const progress = startProgress("scan", { quiet: values.quiet });
    if (values.logs?.length) {
      const out = await scanLocal({
        paths: values.logs,
        detector: loaded.ruleSet,
        concurrency: config?.logs.concurrency,
        logger,
        includeEvent: config?.output.includeEvent,
        correlator: correlatorFactory(
          loaded.correlations,
          config?.logs.correlation ?? DEFAULT_CORRELATION_SETTINGS,
        ),
      }).finally(() => progress.stop());
      report.summary = out.summary;
      report.detections = out.detections;
    } else {
      const since = values.since ? parseSince(values.since) : undefined;
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // JSON keeps today's shape (the summary; detections are in detections.jsonl); HTML and OCSF
      // are about the detections, so they get this run's new ones.
      const fresh: Detection[] | undefined =
        target.format === "html" || target.format === "ocsf" ? [] : undefined;
      try {
        report.summary = await runScan({
          config: config!,
          detector: loaded.ruleSet,
          logger,
          since,
          signal: controller.signal,
          onDetection: fresh ? (d) => void fresh.push(d) : undefined,
          correlator: correlatorFactory(loaded.correlations, config!.logs.correlation),
        });
        if (fresh) report.detections = fresh;
      } finally {
        progress.stop();
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
      // As the daemon does: latest-scan.json describes the last complete scan.
      if (!controller.signal.aborted) writeScanOutputs(config!.output.dir, report);
    }
    await renderReport(target, { scans: [report] });
    if (report.summary.errors.length) return EXIT.ERROR;
    return loaded.problems.length ? EXIT.FAIL : EXIT.OK;
  },
};
