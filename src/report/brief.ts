// Short human summaries (the demo's closing lines): the failing checks with their resources, and the
// most severe detections with why they matched. Pure over the report objects.
import type { Detection } from "../logs/detection.ts";
import { levelRank } from "./scan-report.ts";
import type { Colors } from "./table.ts";

interface FindingLike {
  check: string;
  status: string;
  accountId: string;
  accountName?: string;
  region?: string;
  resource?: string;
  message: string;
}

/** One line per FAIL (then ERROR) finding: check, account, region, resource, message. */
export function failingChecksBrief(findings: readonly FindingLike[], c: Colors, limit = 20): string[] {
  const bad = findings
    .filter((f) => f.status !== "PASS")
    .sort(
      (a, b) =>
        (a.status === "FAIL" ? 0 : 1) - (b.status === "FAIL" ? 0 : 1) || a.check.localeCompare(b.check),
    );
  const lines = bad.slice(0, limit).map((f) => {
    const status = f.status === "FAIL" ? c.red("FAIL ") : c.yellow("ERROR");
    const where = [f.accountName ? `${f.accountName} (${f.accountId})` : f.accountId, f.region]
      .filter(Boolean)
      .join(" ");
    return `  ${status} ${c.bold(f.check)} ${where}${f.resource ? ` ${c.dim(f.resource)}` : ""}: ${f.message}`;
  });
  if (bad.length > limit) lines.push(c.dim(`  … and ${bad.length - limit} more`));
  return lines;
}

/** The most severe detections (then the latest), each with the values that made its rule match. */
export function topDetectionsBrief(detections: readonly Detection[], c: Colors, limit = 5): string[] {
  const top = [...detections]
    .sort((a, b) => levelRank(a.level) - levelRank(b.level) || b.eventTime.localeCompare(a.eventTime))
    .slice(0, limit);
  return top.map((d) => {
    const level =
      d.level === "critical" || d.level === "high"
        ? c.red(d.level)
        : d.level === "medium"
          ? c.yellow(d.level)
          : c.cyan(d.level);
    const why =
      d.match && Object.keys(d.match.fields).length
        ? ` ${c.dim(
            `(${Object.entries(d.match.fields)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")})`,
          )}`
        : "";
    return `  [${level}] ${c.bold(d.ruleTitle)}: ${d.eventName} by ${d.principal} in ${d.recipientAccountId} ${d.awsRegion} at ${d.eventTime}${why}`;
  });
}
