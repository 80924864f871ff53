// log-bucket-access-logging: S3 server access logging is on for the log bucket, so reads and
// deletions of log files leave a record outside CloudTrail.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { bucketViews, unknownBecause } from "./bucket-support.ts";
import { finding } from "./support.ts";

export const logBucketAccessLogging: Check = {
  id: "log-bucket-access-logging",
  title: "Server access logging is enabled on the log bucket",
  severity: "medium",
  compliance: controlsFor("log-bucket-access-logging"),
  remediation:
    "Enable server access logging on the log bucket to a separate bucket (aws s3api put-bucket-logging --bucket <bucket> --bucket-logging-status ...).",
  run(inventory) {
    const out: Finding[] = [];
    for (const view of bucketViews(inventory)) {
      const { bucket, account } = view;
      const base = { account, resource: view.arn };
      const u = view.owner
        ? unknownBecause(bucket, bucket.logging)
        : { reason: bucket.error?.message ?? "its account is not audited", error: bucket.error };
      if (u) {
        out.push(
          finding(logBucketAccessLogging, {
            ...base,
            status: "ERROR",
            message: `server access logging of log bucket ${bucket.name} is unknown: ${u.reason}`,
            error: u.error,
          }),
        );
        continue;
      }
      const target = bucket.logging?.value;
      out.push(
        finding(logBucketAccessLogging, {
          ...base,
          status: target ? "PASS" : "FAIL",
          message: target
            ? `log bucket ${bucket.name} logs access to s3://${target.targetBucket}/${target.targetPrefix ?? ""}`
            : `log bucket ${bucket.name} has server access logging off`,
        }),
      );
    }
    return out;
  },
};
