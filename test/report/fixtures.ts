// Literal report documents for the renderer tests: an audit with every status, a long ARN and a
// coverage matrix with a gap, and a scan whose detections come from a real compiled rule.
import { evaluateCompliance } from "../../src/audit/compliance/evaluate.ts";
import type { Finding } from "../../src/audit/finding.ts";
import { type Detection, toDetection } from "../../src/logs/detection.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import type { AuditReport } from "../../src/report/audit-report.ts";
import type { ScanReport } from "../../src/report/scan-report.ts";
import { compileRuleText } from "../../src/rules/index.ts";
import type { CompiledRule } from "../../src/rules/types.ts";

export const PROD = "210987654321";
export const SANDBOX = "345678901234";
export const ORG_TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
export const LONG_ARN =
  "arn:aws:cloudtrail:eu-central-1:210987654321:trail/payments-audit-trail-with-a-very-long-name-indeed";

const coverage = (
  accountId: string,
  region: string,
  status: Finding["status"],
  trails?: string[],
): Finding => ({
  check: "trail-coverage",
  status,
  severity: "high",
  accountId,
  accountName: accountId === PROD ? "production" : "sandbox",
  region,
  message:
    status === "PASS"
      ? `covered by ${trails?.join(", ")}`
      : status === "FAIL"
        ? "no trail covers this region"
        : "could not list the trails",
  remediation: status === "PASS" ? "None needed." : "Create a multi-region trail.",
  compliance: ["CIS-AWS-3.0:3.1", "AWS-FSBP:CloudTrail.1"],
  ...(trails ? { trails } : {}),
});

export function auditFindings(): Finding[] {
  return [
    coverage(PROD, "eu-west-1", "PASS", [
      ORG_TRAIL,
      "arn:aws:cloudtrail:eu-west-1:210987654321:trail/legacy",
    ]),
    coverage(PROD, "us-east-1", "PASS", [ORG_TRAIL]),
    coverage(SANDBOX, "eu-west-1", "FAIL"),
    coverage(SANDBOX, "us-east-1", "ERROR"),
    {
      check: "log-file-validation",
      status: "FAIL",
      severity: "medium",
      accountId: PROD,
      accountName: "production",
      region: "eu-central-1",
      resource: LONG_ARN,
      message: "log file validation is disabled <script>alert(1)</script>",
      remediation: "aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
      compliance: ["CIS-AWS-3.0:3.2", "AWS-FSBP:CloudTrail.4"],
    },
    {
      check: "trail-sns",
      status: "PASS",
      severity: "low",
      accountId: PROD,
      accountName: "production",
      region: "us-east-1",
      resource: ORG_TRAIL,
      message: "delivers notifications",
      remediation: "None needed.",
    },
  ];
}

export function auditReport(
  findings = auditFindings(),
  generatedAt = "2026-11-20T10:00:00.000Z",
): AuditReport {
  const byStatus = { PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 };
  const byCheck: AuditReport["summary"]["byCheck"] = {};
  for (const f of findings) {
    byStatus[f.status]++;
    byCheck[f.check] ??= { PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 };
    byCheck[f.check][f.status]++;
  }
  return {
    schemaVersion: "1.0",
    generatedAt,
    tool: { name: "trailwarden", version: "0.1.0" },
    scope: {
      accounts: [PROD, SANDBOX],
      regions: ["eu-central-1", "eu-west-1", "us-east-1"],
      accountDetails: [],
    },
    inventory: { collectedAt: generatedAt, accountSource: "config" },
    summary: { total: findings.length, byStatus, byCheck },
    findings,
    compliance: evaluateCompliance(findings),
    waivers: [],
  };
}

const RULE = `
title: Root user activity
id: 7f0a9d2e-0000-4000-8000-000000000001
description: The root user made a request.
references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html]
falsepositives: [Account closure by the owner]
tags: [attack.t1078.004]
level: high
logsource: { product: aws, service: cloudtrail }
detection:
  selection:
    userIdentity.type: Root
  console:
    eventName: ConsoleLogin
  filter:
    userIdentity.invokedBy|exists: true
  condition: selection and not filter and (console or not console)
`;

export function rootRule(): CompiledRule {
  const { rule, problems } = compileRuleText(RULE, "root.yml");
  if (!rule) throw new Error(problems.map((p) => p.message).join("; "));
  return rule;
}

export function cloudTrailRecord(eventID: string, eventTime: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: "1.08",
    eventID,
    eventTime,
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    recipientAccountId: "111111111111",
    sourceIPAddress: "198.51.100.77",
    userAgent: "Mozilla/5.0",
    requestID: "req-1",
    userIdentity: {
      type: "Root",
      arn: "arn:aws:iam::111111111111:root",
      accountId: "111111111111",
      principalId: "111111111111",
    },
    ...extra,
  };
}

export function scanReport(opts: { includeEvent?: boolean } = {}): ScanReport {
  const rule = rootRule();
  const detections: Detection[] = [
    toDetection(rule, cloudTrailRecord("e-1", "2026-11-19T08:00:00Z"), "s3://logs/a.json.gz", opts),
    toDetection(rule, cloudTrailRecord("e-2", "2026-11-20T09:00:00Z"), "s3://logs/b.json.gz", opts),
  ];
  const summary = emptySummary(new Date("2026-11-20T10:00:00Z"));
  summary.finishedAt = "2026-11-20T10:00:04Z";
  summary.files = { read: 2, bad: 1, failed: 0, quarantined: 0, skipped: 0, ignored: 3 };
  summary.records = { read: 4000, invalid: 0 };
  summary.detections = {
    total: 2,
    duplicates: 0,
    byRule: { [rule.id]: 2 },
    ruleTitles: { [rule.id]: rule.title },
    byLevel: { high: 2 },
  };
  summary.badFiles = [
    {
      file: "s3://logs/AWSLogs/111111111111/CloudTrail/eu-west-1/2026/11/20/111111111111_CloudTrail_eu-west-1_20261120T0905Z_Corrupt.json.gz",
      reason: "corrupt gzip: unexpected end of file",
    },
  ];
  return {
    schemaVersion: 1,
    tool: { name: "trailwarden", version: "0.1.0" },
    rules: { loaded: 1, problems: [] },
    summary,
    detections,
  };
}
