// trail-encryption: log files are encrypted at rest, by the trail's own KMS key (SSE-KMS) or by the
// log bucket's default encryption (SSE-S3 or SSE-KMS). With policy.requireKms only SSE-KMS passes.
// Only an SSE-KMS PASS (or a FAIL/ERROR) carries the KMS control ids.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { describeError, finding, trailLabel, trailViews } from "./support.ts";

const KMS_ALGORITHMS = new Set(["aws:kms", "aws:kms:dsse"]);

export const trailEncryption: Check = {
  id: "trail-encryption",
  title: "Trail log files are encrypted at rest",
  severity: "medium",
  compliance: controlsFor("trail-encryption"),
  remediation:
    "Encrypt the trail with a customer managed KMS key (aws cloudtrail update-trail --name <trail> --kms-key-id <key>), or set default encryption on the log bucket.",
  run(inventory, policy) {
    const out: Finding[] = [];
    for (const { trail, account, bucket } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      if (trail.kmsKeyId) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "PASS",
            message: `${label} encrypts log files with SSE-KMS (key ${trail.kmsKeyId})`,
          }),
        );
        continue;
      }
      const name = trail.s3BucketName;
      if (!name || !bucket) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "ERROR",
            message: `${label} has no KMS key and the default encryption of its log bucket ${name ?? "(none named)"} was not read`,
          }),
        );
      } else if (bucket.missing) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "FAIL",
            message: `${label} has no KMS key and its log bucket ${name} does not exist`,
          }),
        );
      } else if (bucket.error) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "ERROR",
            message: `${label} has no KMS key and the default encryption of log bucket ${name} cannot be read (a bucket in another account?): ${describeError(bucket.error)}`,
            error: bucket.error,
          }),
        );
      } else if (!bucket.encryption) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "FAIL",
            message: `${label} has no KMS key and log bucket ${name} has no default encryption`,
          }),
        );
      } else if (KMS_ALGORITHMS.has(bucket.encryption.algorithm)) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "PASS",
            message: `log bucket ${name} of ${label} encrypts by default with SSE-KMS (${bucket.encryption.algorithm})`,
          }),
        );
      } else if (policy.requireKms) {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "FAIL",
            message: `${label} is encrypted only with ${bucket.encryption.algorithm} (SSE-S3) by bucket ${name}; policy.requireKms asks for SSE-KMS`,
          }),
        );
      } else {
        out.push(
          finding(trailEncryption, {
            ...base,
            status: "PASS",
            message: `log bucket ${name} of ${label} encrypts by default with ${bucket.encryption.algorithm} (SSE-S3); the KMS controls (CIS 4.5, FSBP CloudTrail.2) are not met by it`,
            // Encrypted, but not with KMS: this PASS proves nothing about the KMS controls.
            compliance: [],
          }),
        );
      }
    }
    return out;
  },
};
