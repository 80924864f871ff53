// Terminal tables for people: pure functions from a report object to text that fits 100 columns.
// Colour comes in as a picocolors instance, so the caller decides (TTY, NO_COLOR) and tests can
// render with colour off.
import Table from "cli-table3";
import type pc from "picocolors";
import type { Finding, FindingStatus } from "../audit/finding.ts";
import type { AuditReport } from "./audit-report.ts";
import { formatDuration } from "./duration.ts";
import { elapsedSeconds, levelRank, type ScanReport, topRules } from "./scan-report.ts";

/** A picocolors instance: colour on or off as the caller decided. */
export type Colors = ReturnType<typeof pc.createColors>;

/** The widest line any table renders. */
export const TABLE_WIDTH = 100;
const TOP_RULES = 10;
const MAX_LISTED_FILES = 20;

const STATUSES: FindingStatus[] = ["PASS", "FAIL", "ERROR"];

function statusColor(c: Colors, status: string): (s: string) => string {
  if (status === "PASS") return c.green;
  if (status === "FAIL") return c.red;
  if (status === "ERROR") return c.yellow;
  return (s) => s;
}

function levelColor(c: Colors, level: string): (s: string) => string {
  if (level === "critical") return (s) => c.bold(c.red(s));
  if (level === "high") return c.red;
  if (level === "medium") return c.yellow;
  if (level === "low") return c.cyan;
  return c.dim;
}

/**
 * A table of columns whose widths (including padding and borders) add up to at most TABLE_WIDTH;
 * long values wrap, and a value with no spaces (an ARN) is broken where it must.
 */
function table(head: string[], widths: number[], c: Colors, align?: ("left" | "right")[]): Table.Table {
  const total = widths.reduce((a, b) => a + b, 0) + widths.length + 1;
  if (total > TABLE_WIDTH) throw new Error(`table is ${total} columns wide`);
  return new Table({
    head: head.map((h) => c.bold(h)),
    colWidths: widths,
    ...(align ? { colAligns: align } : {}),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** `audit --format table`: counts by check and status, then every FAIL and ERROR with its fix. */
export function renderAuditTable(report: AuditReport, c: Colors): string {
  const out: string[] = [];
  const s = report.summary.byStatus;
  out.push(
    c.bold(
      `Audit of ${plural(report.scope.accounts.length, "account")} and ${plural(report.scope.regions.length, "region")} (${report.generatedAt})`,
    ),
  );
  out.push(
    `${report.summary.total} findings: ${c.green(`${s.PASS} PASS`)}, ${c.red(`${s.FAIL} FAIL`)}, ${c.yellow(`${s.ERROR} ERROR`)}`,
  );
  const counts = table(["Check", "PASS", "FAIL", "ERROR"], [40, 9, 9, 9], c, [
    "left",
    "right",
    "right",
    "right",
  ]);
  for (const [check, n] of Object.entries(report.summary.byCheck).sort(([a], [b]) => a.localeCompare(b))) {
    counts.push([check, ...STATUSES.map((st) => (n[st] ? statusColor(c, st)(String(n[st])) : c.dim("0")))]);
  }
  out.push(counts.toString());
  const problems = report.findings
    .filter((f) => f.status !== "PASS")
    .sort(
      (a, b) =>
        (a.status === "FAIL" ? 0 : 1) - (b.status === "FAIL" ? 0 : 1) ||
        a.check.localeCompare(b.check) ||
        a.accountId.localeCompare(b.accountId) ||
        (a.region ?? "").localeCompare(b.region ?? ""),
    );
  if (problems.length === 0) {
    out.push(c.green("Every finding passes."));
    return `${out.join("\n")}\n`;
  }
  out.push("", c.bold(`${plural(problems.length, "finding")} to act on:`));
  const list = table(["Finding", "Resource / message", "Remediation"], FINDING_WIDTHS, c);
  for (const f of problems) list.push(findingRow(f, c));
  out.push(list.toString());
  return `${out.join("\n")}\n`;
}

const FINDING_WIDTHS = [26, 42, 28];

function findingRow(f: Finding, c: Colors): string[] {
  const [w1, w2, w3] = FINDING_WIDTHS.map((w) => w - 2);
  const account = f.accountName ? `${f.accountName} ${f.accountId}` : f.accountId;
  return [
    `${statusColor(c, f.status)(f.status)} ${c.dim(f.severity)}\n${breakLong(f.check, w1)}\n${breakLong(account, w1)}\n${f.region ?? "(all regions)"}`,
    `${f.resource ? `${c.dim(breakLong(f.resource, w2))}\n` : ""}${breakLong(f.message, w2)}`,
    breakLong(f.remediation, w3),
  ];
}

/**
 * Cut every run of non-space characters longer than `width` (an ARN, an S3 key) into lines, so the
 * table wraps it instead of truncating it.
 */
export function breakLong(text: string, width: number): string {
  return text.replace(/\S+/g, (word) => {
    if (word.length <= width) return word;
    const parts: string[] = [];
    for (let i = 0; i < word.length; i += width) parts.push(word.slice(i, i + width));
    return parts.join("\n");
  });
}

/** `scan --format table`: files, records, detections by level, top rules, bad files, time and rate. */
export function renderScanTable(report: ScanReport, c: Colors): string {
  const s = report.summary;
  const out: string[] = [];
  const seconds = elapsedSeconds(s);
  const rate = seconds > 0 ? Math.round(s.records.read / seconds) : undefined;
  out.push(
    c.bold(
      `Scan: ${plural(s.files.read, "file")} read, ${plural(s.records.read, "record")}, ${plural(s.detections.total, "detection")}`,
    ),
  );
  out.push(
    `${formatDuration(seconds)} elapsed${rate !== undefined ? `, ${rate.toLocaleString("en-US")} records/s` : ""}; ${plural(report.rules.loaded, "rule")} loaded${report.rules.problems.length ? c.red(`, ${report.rules.problems.length} did not load`) : ""}`,
  );
  const counts = table(
    ["Files", "read", "bad", "failed", "skipped", "ignored", "Records", "read", "invalid"],
    [9, 9, 9, 9, 10, 10, 11, 11, 11],
    c,
    ["left", "right", "right", "right", "right", "right", "left", "right", "right"],
  );
  counts.push([
    "",
    String(s.files.read),
    s.files.bad ? c.red(String(s.files.bad)) : "0",
    s.files.failed ? c.red(String(s.files.failed)) : "0",
    String(s.files.skipped),
    String(s.files.ignored),
    "",
    String(s.records.read),
    s.records.invalid ? c.yellow(String(s.records.invalid)) : "0",
  ]);
  out.push(counts.toString());
  const levels = Object.entries(s.detections.byLevel).sort(([a], [b]) => levelRank(a) - levelRank(b));
  if (levels.length) {
    const byLevel = table(["Level", "Detections"], [20, 14], c, ["left", "right"]);
    for (const [level, n] of levels) byLevel.push([levelColor(c, level)(level), String(n)]);
    out.push("", c.bold("Detections by level"), byLevel.toString());
  }
  const top = topRules(s, report.detections, TOP_RULES);
  if (top.length) {
    const rules = table(["Rule", "Id", "Detections"], [46, 38, 12], c, ["left", "left", "right"]);
    for (const r of top) rules.push([breakLong(r.title, 44), c.dim(breakLong(r.id, 36)), String(r.count)]);
    out.push("", c.bold(`Top ${plural(top.length, "rule")}`), rules.toString());
  }
  if (s.badFiles.length) {
    const bad = table(["Bad or quarantined file", "Reason"], [60, 37], c);
    for (const b of s.badFiles.slice(0, MAX_LISTED_FILES))
      bad.push([breakLong(b.file, 58), breakLong(b.reason, 35)]);
    out.push("", c.bold(c.red(`${plural(s.files.bad, "bad file")}`)), bad.toString());
    if (s.badFiles.length > MAX_LISTED_FILES)
      out.push(c.dim(`… and ${s.badFiles.length - MAX_LISTED_FILES} more in the JSON report`));
  }
  if (s.errors.length) {
    const errors = table(["Source / file", "Error"], [50, 47], c);
    for (const e of s.errors.slice(0, MAX_LISTED_FILES))
      errors.push([breakLong(e.file ?? e.source, 48), breakLong(e.message, 45)]);
    out.push("", c.bold(c.red(plural(s.errors.length, "error"))), errors.toString());
  }
  if (report.rules.problems.length) {
    out.push("", c.bold(c.red("Rules that did not load")));
    for (const p of report.rules.problems.slice(0, MAX_LISTED_FILES)) out.push(`  ${p}`);
  }
  return `${out.join("\n")}\n`;
}
