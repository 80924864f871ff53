// The shapes the daemon reads from the audit report, the scan summary and detections. Structural
// and minimal on purpose: the daemon depends on these few fields, not on how the parts build them.
export type Status = "PASS" | "FAIL" | "ERROR";

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
  startedAt?: string | Date;
  finishedAt?: string | Date;
  files?: Record<string, unknown>;
  records: number;
  detections: { total: number; byRule?: Record<string, number>; byLevel?: Record<string, number> };
  errors?: readonly unknown[];
}

export interface DetectionView {
  id: string;
  ruleId: string;
  ruleTitle?: string;
  level: string;
}

export type JobName = "audit" | "scan";
