// The run summary of a scan: counters for files, records and detections, plus the bad files and
// errors by name (bounded, so a broken bucket cannot blow up the report).
import type { CorrelationCounters } from "./correlator.ts";
import type { Detection } from "./detection.ts";

const MAX_LISTED = 200;

export interface SourceSummary {
  url: string;
  type: "s3" | "sqs" | "file";
  files: { read: number; bad: number; failed: number; quarantined: number; skipped: number; ignored: number };
  /** s3: ListObjectsV2 calls made. */
  listCalls?: number;
  /** sqs: messages received, deleted after processing, set aside, or unknown and deleted. */
  messages?: { received: number; deleted: number; setAside: number; unknown: number };
}

export interface ScanSummary {
  startedAt: string;
  finishedAt: string;
  files: {
    /** Read completely and marked done. */
    read: number;
    /** Unusable (corrupt gzip, truncated JSON, not a CloudTrail log, empty); remembered as bad. */
    bad: number;
    /** Could not be downloaded after retries (a transient fault); tried again next run. */
    failed: number;
    /** Permanently unreadable (access denied, no such key, KMS denied); retried with backoff. */
    quarantined: number;
    /** Already done in an earlier run. */
    skipped: number;
    /** Objects that are not CloudTrail log files (or digest/insight files not asked for). */
    ignored: number;
  };
  records: { read: number; invalid: number };
  detections: {
    total: number;
    /** Already emitted earlier (same rule and eventID): not written again. */
    duplicates: number;
    byRule: Record<string, number>;
    /** The title of every rule in byRule, by rule id, so a reader sees names and not only ids. */
    ruleTitles?: Record<string, string>;
    byLevel: Record<string, number>;
  };
  /**
   * Rule id -> records on which that rule threw. The rule counted as not matching those records;
   * every other rule still judged them.
   */
  evaluationErrors: Record<string, number>;
  badFiles: { file: string; reason: string }[];
  /** Files that failed in this run and wait in the store's quarantine for a retry. */
  quarantine: QuarantinedFile[];
  errors: { source: string; file?: string; message: string }[];
  sources: SourceSummary[];
  /** Correlation rules: events consumed, firings, and what was dropped (late, ungrouped, group cap). */
  correlation?: CorrelationCounters;
  /** Log integrity (s3:// with logs.verifyIntegrity): digests read, what verified, problems by kind. */
  integrity?: {
    digestsRead: number;
    verifiedFiles: number;
    verifiedDigests: number;
    problems: Record<string, number>;
  };
}

export interface QuarantinedFile {
  file: string;
  kind: "transient" | "permanent";
  reason: string;
  attempts: number;
  nextRetryAt: string;
}

export function emptySummary(now = new Date()): ScanSummary {
  return {
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    files: { read: 0, bad: 0, failed: 0, quarantined: 0, skipped: 0, ignored: 0 },
    records: { read: 0, invalid: 0 },
    detections: { total: 0, duplicates: 0, byRule: {}, ruleTitles: {}, byLevel: {} },
    evaluationErrors: {},
    badFiles: [],
    quarantine: [],
    errors: [],
    sources: [],
  };
}

export function sourceSummary(url: string, type: SourceSummary["type"]): SourceSummary {
  return { url, type, files: { read: 0, bad: 0, failed: 0, quarantined: 0, skipped: 0, ignored: 0 } };
}

export function countDetection(
  summary: ScanSummary,
  d: Pick<Detection, "ruleId" | "ruleTitle" | "level">,
): void {
  summary.detections.total++;
  summary.detections.byRule[d.ruleId] = (summary.detections.byRule[d.ruleId] ?? 0) + 1;
  summary.detections.ruleTitles ??= {};
  summary.detections.ruleTitles[d.ruleId] = d.ruleTitle;
  summary.detections.byLevel[d.level] = (summary.detections.byLevel[d.level] ?? 0) + 1;
}

export function countEvaluationErrors(summary: ScanSummary, ruleId: string, n = 1): void {
  summary.evaluationErrors[ruleId] = (summary.evaluationErrors[ruleId] ?? 0) + n;
}

export function addBadFile(summary: ScanSummary, file: string, reason: string): void {
  if (summary.badFiles.length < MAX_LISTED) summary.badFiles.push({ file, reason });
}

export function addQuarantined(summary: ScanSummary, q: QuarantinedFile): void {
  if (summary.quarantine.length < MAX_LISTED) summary.quarantine.push(q);
}

export function addError(summary: ScanSummary, source: string, message: string, file?: string): void {
  if (summary.errors.length < MAX_LISTED)
    summary.errors.push(file ? { source, file, message } : { source, message });
}

/** Add a source's file counts to the run's totals. */
export function addSourceFiles(summary: ScanSummary, source: SourceSummary): void {
  for (const k of Object.keys(summary.files) as (keyof ScanSummary["files"])[])
    summary.files[k] += source.files[k];
}
