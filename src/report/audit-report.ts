// The JSON compliance report of an audit (schema/report.schema.json) and the exit status it implies.
import { evaluateCompliance, type FrameworkResult } from "../audit/compliance/evaluate.ts";
import type { Finding, FindingStatus } from "../audit/finding.ts";
import type { AuditResult } from "../audit/run.ts";
import type { WaiverReport } from "../audit/waivers.ts";
import { version } from "../version.ts";

export const AUDIT_REPORT_SCHEMA_VERSION = "1.1";

type StatusCounts = Record<FindingStatus, number>;

export interface AuditReport {
  schemaVersion: string;
  generatedAt: string;
  tool: { name: "trailwarden"; version: string };
  scope: {
    accounts: string[];
    regions: string[];
    /** Per account: its name and the regions audited there. */
    accountDetails: { id: string; name?: string; regions: string[] }[];
  };
  inventory: { collectedAt: string; accountSource: string };
  summary: {
    total: number;
    byStatus: StatusCounts;
    byCheck: Record<string, StatusCounts>;
  };
  findings: Finding[];
  /** Per framework, each control's status from the findings that carry its id. */
  compliance: FrameworkResult[];
  /** The configured waivers, active or expired, with how many findings each matched. */
  waivers: WaiverReport[];
}

const zero = (): StatusCounts => ({ PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 });

export function buildAuditReport(result: AuditResult, now: Date = new Date()): AuditReport {
  const byStatus = zero();
  const byCheck: Record<string, StatusCounts> = {};
  for (const f of result.findings) {
    byStatus[f.status]++;
    byCheck[f.check] ??= zero();
    byCheck[f.check][f.status]++;
  }
  return {
    schemaVersion: AUDIT_REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    tool: { name: "trailwarden", version },
    scope: {
      accounts: [...result.scope.accounts],
      regions: [...result.scope.regions],
      accountDetails: result.inventory.accounts.map((a) => ({
        id: a.id,
        ...(a.name ? { name: a.name } : {}),
        regions: [...a.regions],
      })),
    },
    inventory: { collectedAt: result.inventory.collectedAt, accountSource: result.inventory.accountSource },
    summary: { total: result.findings.length, byStatus, byCheck },
    findings: result.findings,
    compliance: evaluateCompliance(result.findings),
    waivers: result.waivers ?? [],
  };
}

/** 0 when every finding passes (WAIVED counts as PASS), 1 when any fails, 3 when any is ERROR and none fails. */
export function auditExitCode(report: AuditReport): number {
  if (report.summary.byStatus.FAIL > 0) return 1;
  if (report.summary.byStatus.ERROR > 0) return 3;
  return 0;
}

/** One line for humans: "audit: 42 findings — 30 PASS, 10 FAIL, 2 ERROR across 3 accounts, 17 regions". */
export function auditSummaryLine(report: AuditReport): string {
  const s = report.summary.byStatus;
  const waived = s.WAIVED ? `, ${s.WAIVED} WAIVED` : "";
  const expired = report.waivers.filter((w) => w.state === "expired").length;
  const expiredNote = expired ? ` (${expired} waiver${expired === 1 ? "" : "s"} expired)` : "";
  return `audit: ${report.summary.total} findings: ${s.PASS} PASS, ${s.FAIL} FAIL, ${s.ERROR} ERROR${waived}${expiredNote} across ${report.scope.accounts.length} accounts and ${report.scope.regions.length} regions`;
}
