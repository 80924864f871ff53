// OCSF 1.1.0 events for SIEMs and Security Lake (docs/reports.md has the mapping, field by field;
// schema/ocsf-findings.schema.json is what we promise). Audit findings become Compliance Findings
// (class 2003); detections become Detection Findings (class 2004) whose evidence carries the
// CloudTrail record as an API Activity (class 6003), mapped as Security Lake maps CloudTrail.
import { createHash } from "node:crypto";
import { checks } from "../audit/checks/index.ts";
import type { Finding } from "../audit/finding.ts";
import type { Detection } from "../logs/detection.ts";
import { version as toolVersion } from "../version.ts";
import type { AuditReport } from "./audit-report.ts";
import type { ScanReport } from "./scan-report.ts";

export const OCSF_VERSION = "1.1.0";
/** compliance.standards for checks that no framework names (account discovery, SNS, duplicates). */
export const OWN_STANDARD = "trailwarden CloudTrail policy";

const CATEGORY_FINDINGS = 2;
const CLASS_COMPLIANCE = 2003;
const CLASS_DETECTION = 2004;
const CLASS_API_ACTIVITY = 6003;
/** Finding activity "Create". */
const ACTIVITY_CREATE = 1;
/** Finding status "New". */
const STATUS_NEW = 1;
const STATUS_SUPPRESSED = 3;
/** Account type "AWS Account". */
const ACCOUNT_TYPE_AWS = 10;

const SEVERITY: Record<string, { id: number; name: string }> = {
  informational: { id: 1, name: "Informational" },
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};
const UNKNOWN_SEVERITY = { id: 0, name: "Unknown" };

/**
 * compliance.status_id: 1 Pass, 3 Fail, 0 Unknown (our ERROR: the check could not decide). A WAIVED
 * finding still fails the control; the waiver shows as the finding's Suppressed status.
 */
const COMPLIANCE_STATUS: Record<Finding["status"], { id: number; name: string }> = {
  PASS: { id: 1, name: "Pass" },
  FAIL: { id: 3, name: "Fail" },
  ERROR: { id: 0, name: "Unknown" },
  WAIVED: { id: 3, name: "Fail" },
};

export type OcsfEvent = Record<string, unknown>;

function product() {
  return { name: "trailwarden", vendor_name: "trailwarden", version: toolVersion };
}

function epochMs(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
}

function uid(...parts: (string | undefined)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p ?? "").update("\u0000");
  return h.digest("hex").slice(0, 32);
}

function awsAccount(id: string, name?: string) {
  return { uid: id, ...(name ? { name } : {}), type_id: ACCOUNT_TYPE_AWS, type: "AWS Account" };
}

const checkTitles = new Map(checks.map((c) => [c.id, c.title]));

/** One audit finding as an OCSF Compliance Finding. */
export function complianceFinding(f: Finding, generatedAt: string, now: number): OcsfEvent {
  const time = epochMs(generatedAt, now);
  const severity = SEVERITY[f.severity] ?? UNKNOWN_SEVERITY;
  const status = COMPLIANCE_STATUS[f.status];
  const controls = f.compliance ?? [];
  // `standards` is required; a check no framework names is judged by trailwarden's own policy.
  const standards = controls.length ? [...new Set(controls.map((c) => c.split(":")[0]))] : [OWN_STANDARD];
  const event: OcsfEvent = {
    class_uid: CLASS_COMPLIANCE,
    class_name: "Compliance Finding",
    category_uid: CATEGORY_FINDINGS,
    category_name: "Findings",
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    type_uid: CLASS_COMPLIANCE * 100 + ACTIVITY_CREATE,
    type_name: "Compliance Finding: Create",
    time,
    severity_id: severity.id,
    severity: severity.name,
    // A waived FAIL is a known, accepted finding: OCSF's Suppressed status.
    status_id: f.status === "WAIVED" ? STATUS_SUPPRESSED : STATUS_NEW,
    status: f.status === "WAIVED" ? "Suppressed" : "New",
    message: f.message,
    metadata: { version: OCSF_VERSION, product: product(), profiles: ["cloud"], event_code: f.check },
    finding_info: {
      uid: uid("trailwarden-audit", f.check, f.accountId, f.region, f.resource),
      title: checkTitles.get(f.check) ?? f.check,
      desc: f.message,
      types: [f.check],
      created_time: time,
    },
    compliance: {
      control: f.check,
      standards,
      ...(controls.length ? { requirements: controls } : {}),
      status_id: status.id,
      status: status.name,
      status_code: f.status,
      status_detail: f.message,
    },
    remediation: { desc: f.remediation },
    cloud: {
      provider: "AWS",
      account: awsAccount(f.accountId, f.accountName),
      ...(f.region ? { region: f.region } : {}),
    },
    resources: [
      f.resource
        ? { uid: f.resource, type: resourceType(f.resource), ...(f.region ? { region: f.region } : {}) }
        : { uid: f.accountId, type: "AWS::::Account", ...(f.region ? { region: f.region } : {}) },
    ],
  };
  if (f.error) event.unmapped = { error: f.error };
  return event;
}

/** arn:aws:cloudtrail:…:trail/x → AWS::CloudTrail::Trail; other ARNs by service. */
function resourceType(arn: string): string {
  const m = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:([^/:]+)/.exec(arn);
  if (!m) return "Other";
  if (m[1] === "cloudtrail" && m[2] === "trail") return "AWS::CloudTrail::Trail";
  if (m[1] === "s3") return "AWS::S3::Bucket";
  if (m[1] === "sns") return "AWS::SNS::Topic";
  if (m[1] === "kms") return "AWS::KMS::Key";
  return `AWS::${m[1]}::${m[2]}`;
}

/** The CloudTrail record behind a detection, as OCSF API Activity (Security Lake's CloudTrail mapping). */
export function apiActivity(d: Detection) {
  const event = d.event as Record<string, unknown> | undefined;
  const identity = obj(event?.userIdentity);
  const user: Record<string, unknown> = { uid: d.principal };
  if (str(identity.type)) user.type = str(identity.type);
  if (str(identity.userName)) user.name = str(identity.userName);
  if (str(identity.principalId)) user.uid_alt = str(identity.principalId);
  if (str(identity.accountId)) user.account = awsAccount(str(identity.accountId));
  const actor: Record<string, unknown> = { user };
  if (str(identity.invokedBy)) actor.invoked_by = str(identity.invokedBy);
  const api: Record<string, unknown> = {
    operation: d.eventName,
    service: { name: d.eventSource },
  };
  if (str(event?.requestID)) api.request = { uid: str(event?.requestID) };
  if (d.errorCode)
    api.response = {
      error: d.errorCode,
      ...(str(event?.errorMessage) ? { error_message: str(event?.errorMessage) } : {}),
    };
  const srcEndpoint: Record<string, unknown> = isIp(d.sourceIPAddress)
    ? { ip: d.sourceIPAddress }
    : { domain: d.sourceIPAddress || "unknown" };
  const cloud = {
    provider: "AWS",
    region: d.awsRegion,
    ...(d.recipientAccountId ? { account: awsAccount(d.recipientAccountId) } : {}),
  };
  return { actor, api, src_endpoint: srcEndpoint, cloud };
}

/** One detection as an OCSF Detection Finding, with its CloudTrail record in `evidences`. */
export function detectionFinding(d: Detection, now: number): OcsfEvent {
  const severity = SEVERITY[d.level] ?? UNKNOWN_SEVERITY;
  const time = epochMs(d.eventTime, now);
  const activity = apiActivity(d);
  const finding: Record<string, unknown> = {
    uid: d.id,
    title: d.ruleTitle,
    analytic: { uid: d.ruleId, name: d.ruleTitle, type_id: 1, type: "Rule" },
    types: ["Sigma"],
    created_time: time,
    src_url: d.logFile,
  };
  if (d.description) finding.desc = d.description;
  const event: OcsfEvent = {
    class_uid: CLASS_DETECTION,
    class_name: "Detection Finding",
    category_uid: CATEGORY_FINDINGS,
    category_name: "Findings",
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    type_uid: CLASS_DETECTION * 100 + ACTIVITY_CREATE,
    type_name: "Detection Finding: Create",
    time,
    severity_id: severity.id,
    severity: severity.name,
    status_id: STATUS_NEW,
    status: "New",
    message: `${d.ruleTitle}: ${d.eventSource} ${d.eventName} by ${d.principal}`,
    metadata: {
      version: OCSF_VERSION,
      product: product(),
      profiles: ["cloud"],
      event_code: d.ruleId,
      ...(d.groupKey ? { correlation_uid: d.groupKey } : {}),
    },
    finding_info: finding,
    cloud: activity.cloud,
    evidences: [
      {
        actor: activity.actor,
        api: activity.api,
        src_endpoint: activity.src_endpoint,
        data: {
          class_uid: CLASS_API_ACTIVITY,
          class_name: "API Activity",
          cloud: activity.cloud,
          time,
          metadata: { uid: d.eventID, product: { name: "CloudTrail", vendor_name: "AWS" } },
          ...(d.userAgent ? { http_request: { user_agent: d.userAgent } } : {}),
          ...(d.match ? { matched: d.match } : {}),
          ...(d.event ? { unmapped: d.event } : {}),
        },
      },
    ],
  };
  const unmapped: Record<string, unknown> = {};
  if (d.tags.length) unmapped.tags = d.tags;
  if (d.falsepositives?.length) unmapped.falsepositives = d.falsepositives;
  if (d.references?.length) unmapped.references = d.references;
  if (Object.keys(unmapped).length) event.unmapped = unmapped;
  return event;
}

/** Every audit finding and every detection in the inputs, as OCSF events. */
export function toOcsf(input: { audits: AuditReport[]; scans: ScanReport[] }, now = new Date()): OcsfEvent[] {
  const out: OcsfEvent[] = [];
  for (const a of input.audits)
    for (const f of a.findings) out.push(complianceFinding(f, a.generatedAt, now.getTime()));
  for (const s of input.scans)
    for (const d of s.detections ?? []) out.push(detectionFinding(d, now.getTime()));
  return out;
}

function isIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s));
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
