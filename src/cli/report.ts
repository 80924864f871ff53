// `trailwarden report FILE... [--format html|table|json|ocsf] [--baseline FILE] [--output FILE]`:
// renders saved audit reports and scan reports (the JSON of `audit` and `scan`) for people or SIEMs.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { validatorFor } from "../config/schema.ts";
import type { AuditReport } from "../report/audit-report.ts";
import type { ReportInput } from "../report/render.ts";
import type { ScanReport } from "../report/scan-report.ts";
import { type Command, EXIT, UsageError } from "./command.ts";
import { chooseOutput, outputOptions, renderReport } from "./format.ts";

const usage = `usage: trailwarden report FILE... [--format FORMAT] [--baseline FILE] [--output FILE]

Renders saved reports: audit reports (audit --format json, latest-audit.json) and scan reports
(scan --format json), in one document.

  --format FORMAT   html (one self-contained offline page), table, json or ocsf
                    (default: table on a terminal, else json)
  --baseline FILE   an earlier audit report: html shows the new FAIL, fixed and new ERROR findings
  --output FILE     write here (default: stdout; - is stdout)

exit status: 0 rendered, 2 bad usage or a file that is not a trailwarden report`;

type Loaded = { kind: "audit"; report: AuditReport } | { kind: "scan"; report: ScanReport };

/** Read one report file and tell which kind it is; a file that is neither says why, and where. */
export function readReportFile(file: string): Loaded {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  const obj = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as object) : {};
  const kind = "findings" in obj ? "audit" : "summary" in obj && "rules" in obj ? "scan" : undefined;
  if (!kind)
    throw new UsageError(
      `${file}: not a trailwarden audit report (findings) or scan report (summary, rules)`,
    );
  const validate = validatorFor(kind === "audit" ? "report" : "scan-report");
  if (!validate(doc)) {
    const first = validate.errors?.[0];
    throw new UsageError(
      `${file}: not a valid ${kind} report: ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`,
    );
  }
  return kind === "audit" ? { kind, report: doc as AuditReport } : { kind, report: doc as ScanReport };
}

export const reportCommand: Command = {
  name: "report",
  summary: "render saved audit and scan reports as HTML, a table, JSON or OCSF",
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...outputOptions, baseline: { type: "string" } },
      allowPositionals: true,
    });
    if (!positionals.length) throw new UsageError("give at least one report FILE");
    const target = chooseOutput(values, ["html", "table", "json", "ocsf"]);
    const input: Required<Pick<ReportInput, "audits" | "scans">> & ReportInput = { audits: [], scans: [] };
    for (const file of positionals) {
      const loaded = readReportFile(file);
      if (loaded.kind === "audit") input.audits.push(loaded.report);
      else input.scans.push(loaded.report);
    }
    if (values.baseline) {
      const base = readReportFile(values.baseline);
      if (base.kind !== "audit") throw new UsageError(`--baseline ${values.baseline}: not an audit report`);
      input.baseline = base.report;
    }
    await renderReport(target, input);
    if (target.file) process.stderr.write(`report: ${target.format} written to ${target.file}\n`);
    return EXIT.OK;
  },
};
