// When a run that finished still counts as failed (for health, metrics and --once's exit code).
import type { AuditReportView, ScanSummaryView } from "./types.ts";

/**
 * An audit whose every finding is ERROR determined nothing (AWS unreachable, credentials
 * refused): the report is still written, but the run counts as failed for health.
 */
export function auditRunFailure(report: AuditReportView): string | undefined {
  const { findings } = report;
  if (findings.length === 0 || findings.some((f) => f.status !== "ERROR")) return undefined;
  return `every finding is ERROR (${findings.length}); first: ${findings[0].message}`;
}

/**
 * A scan fails (for health) when a whole source could not be read, or when files were due and none
 * could be downloaded. A bad file alone does not fail it: it is reported and remembered as bad.
 */
export function scanRunFailure(summary: ScanSummaryView): string | undefined {
  const whole = summary.errors.filter((e) => !e.file);
  if (whole.length) return `log source ${whole[0].source} failed: ${whole[0].message}`;
  if (summary.files.failed > 0 && summary.files.read === 0)
    return `${summary.files.failed} log files could not be downloaded; first: ${summary.errors[0]?.message ?? "unknown"}`;
  return undefined;
}
