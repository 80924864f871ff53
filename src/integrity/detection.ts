// Integrity problems as detections: the same fields as a rule's detection (logs/detection.ts; kept
// structurally equal rather than imported, so integrity does not depend on logs) so the committer,
// the detections log and every sink carry them unchanged, with ruleId "trailwarden-log-integrity",
// level high, an `integrity` object and an id that depends only on what was found, so finding it
// again (a rerun, a replay after a crash) is suppressed like any duplicate detection.
import { shortId } from "../util/ids.ts";

export const INTEGRITY_RULE_ID = "trailwarden-log-integrity";

export type IntegrityKind =
  | "digest-invalid"
  | "digest-missing"
  | "log-modified"
  | "log-missing"
  | "log-unlisted"
  | "gap";

export const INTEGRITY_KINDS: readonly IntegrityKind[] = [
  "digest-invalid",
  "digest-missing",
  "log-modified",
  "log-missing",
  "log-unlisted",
  "gap",
];

export interface IntegrityFinding {
  kind: IntegrityKind;
  /** The S3 key of the digest or log file (for a gap: the digest that starts the new chain). */
  key: string;
  /** The trail: its ARN when the layout names the owner, else "<name>@<home region>". */
  trail: string;
  /**
   * log-modified: the SHA-256 the digest lists / of the object now; log-missing: listed hash / null;
   * log-unlisted: null / the file's hash; digest-invalid: null / why; digest-missing: the key / null;
   * gap: the previous chain's last digestEndTime / the new chain's digestStartTime.
   */
  expected: string | null;
  actual: string | null;
}

export interface IntegrityDetection {
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  eventID: string;
  /** When the problem's object was delivered (or the digest's period ended). */
  eventTime: string;
  eventSource: string;
  /** The kind. */
  eventName: string;
  awsRegion: string;
  recipientAccountId: string;
  sourceIPAddress: string;
  /** The trail. */
  principal: string;
  /** s3://bucket/key of the digest or log file. */
  logFile: string;
  /** As every detection's: sha256("event", eventID); an integrity problem is its own group. */
  groupKey: string;
  integrity: IntegrityFinding;
}

const TITLES: Record<IntegrityKind, string> = {
  "digest-invalid": "CloudTrail digest file is invalid",
  "digest-missing": "CloudTrail digest file is missing",
  "log-modified": "CloudTrail log file was modified",
  "log-missing": "CloudTrail log file listed in a digest is missing",
  "log-unlisted": "CloudTrail log file is listed in no digest",
  gap: "CloudTrail digest chain has a gap",
};

export function integrityDetectionId(f: IntegrityFinding): string {
  return shortId(INTEGRITY_RULE_ID, f.kind, f.key, f.trail, f.expected ?? "", f.actual ?? "");
}

export function integrityDetection(
  f: IntegrityFinding,
  where: { bucket: string; account: string; region: string; time: Date },
): IntegrityDetection {
  const id = integrityDetectionId(f);
  return {
    id,
    ruleId: INTEGRITY_RULE_ID,
    ruleTitle: TITLES[f.kind],
    level: "high",
    tags: ["attack.defense-evasion", "attack.t1565.001", "attack.t1070"],
    eventID: id,
    eventTime: where.time.toISOString(),
    eventSource: "cloudtrail.amazonaws.com",
    eventName: f.kind,
    awsRegion: where.region,
    recipientAccountId: where.account,
    sourceIPAddress: "",
    principal: f.trail,
    logFile: `s3://${where.bucket}/${f.key}`,
    groupKey: shortId("event", id),
    integrity: f,
  };
}
