// The shapes the daemon reads from the audit report, the scan summary and detections. Structural
// and minimal on purpose: the daemon depends on these few fields, not on how the parts build them.
export type Status = "PASS" | "FAIL" | "ERROR" | "WAIVED";

export interface FindingView {
  check: string;
  status: Status;
  severity?: string;
  accountId: string;
  region?: string;
  resource?: string;
  message: string;
}

export interface AuditReportView {
  generatedAt: string;
  findings: readonly FindingView[];
}

export interface ScanSummaryView {
  startedAt?: string;
  finishedAt?: string;
  files: { read: number; failed: number; [k: string]: number };
  records: { read: number; [k: string]: number };
  detections: { total: number; byRule?: Record<string, number>; byLevel?: Record<string, number> };
  /** Rule id -> records on which the rule threw (it did not match them; other rules judged them). */
  evaluationErrors?: Record<string, number>;
  /** Errors without `file` are whole-source failures (a bucket or queue that could not be read). */
  errors: readonly { source: string; file?: string; message: string }[];
  /** Files that could not be read in the run, by key; they wait in the store's quarantine. */
  quarantine?: readonly { file: string; kind: string; reason: string; nextRetryAt: string }[];
  /** Log integrity of the run (s3:// with logs.verifyIntegrity). */
  integrity?: { verifiedFiles: number; verifiedDigests: number; problems: Record<string, number> };
  /** Correlation counters of the run (when correlation rules are loaded). */
  correlation?: {
    late: number;
    ungrouped: number;
    groupsRefused: number;
    truncated: number;
    liveGroups: number;
  };
}

/** What latest-scan.json holds: the scan report (schema/scan-report.schema.json) without detections. */
export interface ScanReportView {
  summary: ScanSummaryView;
}

export interface DetectionView {
  id: string;
  ruleId: string;
  ruleTitle?: string;
  level: string;
}

export type JobName = "audit" | "scan";
