// The report files in output.dir. Every write is atomic (temp file + rename) or a durable append,
// so a reader never sees half a report, whatever moment the process stops at.
import { join } from "node:path";
import type { AuditReport } from "../report/audit-report.ts";
import { renderHtmlReport } from "../report/html.ts";
import { appendLinesDurable, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from "../util/fs.ts";
import type { Logger } from "../util/logger.ts";
import { type RotationPolicy, rotateIfDue } from "../util/rotate.ts";
import { type AuditEvent, diffFindings } from "./events.ts";
import type { AuditReportView, ScanReportView } from "./types.ts";

const LATEST_AUDIT = "latest-audit.json";
const LATEST_SCAN = "latest-scan.json";
export const LATEST_AUDIT_HTML = "latest-audit.html";
const EVENTS = "events.jsonl";

/** `audit-20261124T013000Z.json`: the UTC time of the report, sortable, no colons. */
export function auditFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  return `audit-${stamp}.json`;
}

/** The time encoded in an audit file name, or undefined for other names. */
export function auditFileTime(name: string): Date | undefined {
  const m = /^audit-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.json$/.exec(name);
  if (!m) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** The previous audit, or undefined when there is none or it cannot be read (then logged). */
export function readPreviousAudit(dir: string, logger: Logger): AuditReportView | undefined {
  const file = join(dir, LATEST_AUDIT);
  try {
    const report = readJsonIfExists<AuditReportView>(file);
    if (report && !Array.isArray(report.findings)) throw new Error("it has no findings[]");
    return report;
  } catch (err) {
    logger.warn("previous audit report unreadable; status changes start from this audit", {
      file,
      error: (err as Error).message,
    });
    return undefined;
  }
}

export interface AuditOutputs {
  file: string;
  events: AuditEvent[];
}

/**
 * Append the status changes, then write the report, then replace latest-audit.json. In that order
 * a stop in between repeats events at worst (the next audit diffs against the older latest), and
 * never loses one.
 */
export function writeAuditOutputs(
  dir: string,
  report: AuditReportView,
  previous: AuditReportView | undefined,
  now: Date,
  rotation?: RotationPolicy,
): AuditOutputs {
  const name = auditFileName(new Date(report.generatedAt ?? now));
  const events = diffFindings(previous?.findings, report.findings, name, now);
  if (rotation && events.length) rotateIfDue(join(dir, EVENTS), now, rotation);
  appendLinesDurable(
    join(dir, EVENTS),
    events.map((e) => JSON.stringify(e)),
  );
  const file = join(dir, name);
  writeJsonAtomic(file, report);
  writeJsonAtomic(join(dir, LATEST_AUDIT), report);
  return { file, events };
}

/** latest-scan.json: the report of the last completed scan (its summary; detections are in detections.jsonl). */
export function writeScanOutputs(dir: string, report: ScanReportView): string {
  const file = join(dir, LATEST_SCAN);
  writeJsonAtomic(file, report);
  return file;
}

/**
 * latest-audit.html (output.html): the HTML report of the audit, with what changed since the previous
 * one. The report is the audit report the backend built (report/audit-report.ts), seen here as a view.
 */
export function writeAuditHtml(
  dir: string,
  report: AuditReportView,
  previous: AuditReportView | undefined,
  now: Date,
): string {
  const file = join(dir, LATEST_AUDIT_HTML);
  const html = renderHtmlReport(
    { audits: [report as AuditReport], scans: [], baseline: previous as AuditReport | undefined },
    now,
  );
  writeFileAtomic(file, html);
  return file;
}
