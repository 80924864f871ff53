// log-bucket-deletion-protection: log files cannot simply be deleted: Object Lock with a default
// retention, or versioning Enabled with MFA Delete. Lifecycle expiration rules are named in the
// message, since they delete logs on a schedule.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import type { LogBucketRecord } from "../inventory.ts";
import { bucketViews, unknownBecause } from "./bucket-support.ts";
import { finding } from "./support.ts";

function expiring(b: LogBucketRecord): string {
  const rules = (b.lifecycle?.value ?? []).filter(
    (r) => r.status === "Enabled" && r.expirationDays !== undefined,
  );
  if (!rules.length) return "";
  return `; lifecycle expires objects: ${rules.map((r) => `${r.id ?? "rule"} after ${r.expirationDays} days${r.prefix ? ` under ${r.prefix}` : ""}`).join(", ")}`;
}

export const logBucketDeletionProtection: Check = {
  id: "log-bucket-deletion-protection",
  title: "Log files are protected from deletion (Object Lock or MFA Delete)",
  severity: "medium",
  compliance: controlsFor("log-bucket-deletion-protection"),
  remediation:
    "Enable Object Lock with a default retention on the log bucket (COMPLIANCE mode resists even administrators), or enable versioning with MFA Delete (root credentials, aws s3api put-bucket-versioning --mfa ...).",
  run(inventory) {
    const out: Finding[] = [];
    for (const view of bucketViews(inventory)) {
      const { bucket, account } = view;
      const base = { account, resource: view.arn };
      if (!view.owner || bucket.error) {
        out.push(
          finding(logBucketDeletionProtection, {
            ...base,
            status: "ERROR",
            message: `deletion protection of log bucket ${bucket.name} is unknown: ${bucket.error?.message ?? "its account is not audited"}`,
            error: bucket.error,
          }),
        );
        continue;
      }
      const lock = bucket.objectLock?.value;
      const retention = lock?.enabled ? lock.defaultRetention : undefined;
      if (retention?.mode && (retention.days || retention.years)) {
        const period = retention.days ? `${retention.days} days` : `${retention.years} years`;
        out.push(
          finding(logBucketDeletionProtection, {
            ...base,
            status: "PASS",
            message: `log bucket ${bucket.name} has Object Lock with a default ${retention.mode} retention of ${period}${expiring(bucket)}`,
          }),
        );
        continue;
      }
      const v = bucket.versioning?.value;
      if (v?.status === "Enabled" && v.mfaDelete === "Enabled") {
        out.push(
          finding(logBucketDeletionProtection, {
            ...base,
            status: "PASS",
            message: `log bucket ${bucket.name} has versioning with MFA Delete${expiring(bucket)}`,
          }),
        );
        continue;
      }
      const u = unknownBecause(bucket, bucket.objectLock) ?? unknownBecause(bucket, bucket.versioning);
      if (u) {
        out.push(
          finding(logBucketDeletionProtection, {
            ...base,
            status: "ERROR",
            message: `deletion protection of log bucket ${bucket.name} is unknown: ${u.reason}`,
            error: u.error,
          }),
        );
        continue;
      }
      const lockText = lock?.enabled ? "Object Lock without a default retention" : "no Object Lock";
      const versionText =
        v?.status === "Enabled"
          ? "versioning without MFA Delete"
          : `versioning ${v?.status ?? "never enabled"}`;
      out.push(
        finding(logBucketDeletionProtection, {
          ...base,
          status: "FAIL",
          message: `log files in bucket ${bucket.name} can be deleted: ${lockText}, ${versionText}${expiring(bucket)}`,
        }),
      );
    }
    return out;
  },
};
