// `trailwarden report FILE... [--format html|table|json|ocsf] [--baseline FILE] [--output FILE]`:
// renders saved audit reports and scan reports (the JSON of `audit` and `scan`) for people or SIEMs.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { validatorFor } from "../config/schema.ts";
import type { Detection } from "../logs/detection.ts";
import { countDetection, emptySummary } from "../logs/summary.ts";
import type { AuditReport } from "../report/audit-report.ts";
import type { ReportInput } from "../report/render.ts";
import type { ScanReport } from "../report/scan-report.ts";
import { version } from "../version.ts";
import { type Command, EXIT, UsageError } from "./command.ts";
import { chooseOutput, outputOptions, renderReport } from "./format.ts";

const usage = `usage: trailwarden report FILE... [--format FORMAT] [--baseline FILE] [--output FILE]

Renders saved reports: audit reports (audit --format json, latest-audit.json), scan reports
(scan --format json, latest-scan.json) and detection logs (detections.jsonl), in one document.
The detections of a .jsonl file join the first scan report given (or stand alone).

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

/** detections.jsonl: one detection a line; a line that is not one is a usage error at file:line. */
export function readDetectionsFile(file: string): Detection[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  const out: Detection[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let d: unknown;
    try {
      d = JSON.parse(line);
    } catch (err) {
      throw new UsageError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    const o = (d ?? {}) as Record<string, unknown>;
    for (const k of ["id", "ruleId", "ruleTitle", "level", "eventID", "eventTime"])
      if (typeof o[k] !== "string")
        throw new UsageError(`${file}:${i + 1}: not a trailwarden detection (no string "${k}")`);
    out.push(d as Detection);
  });
  return out;
}

/** Logged detections join the first scan report that has none listed, or make a scan report of their own. */
function attachDetections(scans: ScanReport[], detections: Detection[]): void {
  const host = scans.find((s) => !s.detections?.length);
  if (host) {
    host.detections = detections;
    return;
  }
  const summary = emptySummary();
  for (const d of detections) countDetection(summary, d);
  scans.push({
    schemaVersion: 1,
    tool: { name: "trailwarden", version },
    rules: { loaded: 0, problems: [] },
    summary,
    detections,
  });
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
    const logged: Detection[] = [];
    for (const file of positionals) {
      if (file.endsWith(".jsonl")) {
        logged.push(...readDetectionsFile(file));
        continue;
      }
      const loaded = readReportFile(file);
      if (loaded.kind === "audit") input.audits.push(loaded.report);
      else input.scans.push(loaded.report);
    }
    if (logged.length || positionals.some((f) => f.endsWith(".jsonl"))) attachDetections(input.scans, logged);
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
