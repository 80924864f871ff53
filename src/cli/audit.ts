// `trailwarden audit`: one audit, the JSON report to a file or stdout, a summary line on stderr.
import { InventoryFileError, runAudit } from "../audit/run.ts";
import { defaultConfig, loadConfigFile } from "../config/load.ts";
import { auditExitCode, auditSummaryLine, buildAuditReport } from "../report/audit-report.ts";
import { createLogger } from "../util/logger.ts";
import { type Command, CommandError, EXIT, parseFlags, UsageError } from "./command.ts";
import { chooseOutput, outputOptions, renderReport } from "./format.ts";
import { startProgress } from "./progress.ts";

const usage = `usage: trailwarden audit [--config FILE] [--format FORMAT] [--output FILE] [--save-inventory FILE]
                        [--inventory FILE] [--quiet]

Audits CloudTrail configuration in every configured account and region and writes a JSON report.

  --config FILE          configuration (YAML); validated before any AWS call. Without it: the
                         caller's own account, its enabled regions, the default policy
  --format FORMAT        table, json, html or ocsf (default: table on a terminal, else json)
  --output FILE          write the report here (default, or "-": stdout)
  --save-inventory FILE  also write the collected inventory snapshot
  --inventory FILE       judge a saved inventory snapshot instead of calling AWS
  --quiet                no progress line on stderr (shown only when stderr is a terminal)

exit status: 0 every finding PASS, 1 some FAIL, 3 some ERROR and no FAIL, 2 bad config or usage`;

/** 128 + SIGINT, as shells report an interrupted command. */
const EXIT_INTERRUPTED = 130;

export const auditCommand: Command = {
  name: "audit",
  summary: "audit CloudTrail configuration across accounts and regions",
  usage,
  async run(argv) {
    const values = parseFlags(argv, {
      config: { type: "string" },
      ...outputOptions,
      "save-inventory": { type: "string" },
      inventory: { type: "string" },
      quiet: { type: "boolean" },
    });
    if (values.inventory && values["save-inventory"])
      throw new UsageError("--save-inventory cannot be used with --inventory (nothing is collected)");
    const target = chooseOutput(values, ["table", "json", "html", "ocsf"]);
    const config = values.config ? loadConfigFile(values.config) : defaultConfig();
    const logger = createLogger({ level: config.logLevel, base: { command: "audit" } });
    const controller = new AbortController();
    const abort = () => controller.abort(new Error("interrupted"));
    process.once("SIGINT", abort);
    process.once("SIGTERM", abort);
    let result: Awaited<ReturnType<typeof runAudit>>;
    const progress = startProgress("audit", { quiet: values.quiet });
    try {
      result = await runAudit({
        config,
        inventoryFile: values.inventory,
        saveInventory: values["save-inventory"],
        logger,
        signal: controller.signal,
      });
    } catch (err) {
      if (err instanceof InventoryFileError) throw new CommandError(err.message);
      if (controller.signal.aborted) {
        // Interrupted: no report, since its findings would only show the abort.
        process.stderr.write("trailwarden audit: interrupted; no report written\n");
        return EXIT_INTERRUPTED;
      }
      throw err;
    } finally {
      progress.stop();
      process.off("SIGINT", abort);
      process.off("SIGTERM", abort);
    }
    const report = buildAuditReport(result);
    await renderReport(target, { audits: [report] });
    // The table already says it all; the line is for pipes, files and other formats.
    if (target.format !== "table" || target.file)
      process.stderr.write(
        `${auditSummaryLine(report)}${target.file ? `; report written to ${target.file}` : ""}\n`,
      );
    const code = auditExitCode(report);
    return code === 0 ? EXIT.OK : code === 1 ? EXIT.FAIL : EXIT.ERROR;
  },
};
