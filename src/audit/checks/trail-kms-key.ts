// trail-kms-key: a trail's KMS key exists, is Enabled (not Disabled or PendingDeletion, when
// CloudTrail can no longer encrypt, or soon will not) and rotates (CIS 4.6).
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { describeError, finding, trailLabel, trailViews } from "./support.ts";

export const trailKmsKey: Check = {
  id: "trail-kms-key",
  title: "The trail's KMS key exists, is enabled and rotates",
  severity: "high",
  compliance: controlsFor("trail-kms-key"),
  remediation:
    "Use an enabled customer managed key (cancel a pending deletion: aws kms cancel-key-deletion; aws kms enable-key) and turn on rotation (aws kms enable-key-rotation --key-id <key>).",
  run(inventory) {
    const out: Finding[] = [];
    for (const { trail, account } of trailViews(inventory)) {
      if (!trail.kmsKeyId) continue;
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = `${trailLabel(trail)} key ${trail.kmsKeyId}`;
      const key = inventory.keys?.find((k) => k.id === trail.kmsKeyId);
      const push = (
        status: Finding["status"],
        message: string,
        error?: Parameters<typeof finding>[1]["error"],
      ) => out.push(finding(trailKmsKey, { ...base, status, message, error }));
      if (!key) push("ERROR", `${label}: the key was not read`);
      else if (key.error)
        push(
          "ERROR",
          `${label} cannot be read: ${key.error.code === "NotAudited" || key.error.code === "NotRead" ? key.error.message : describeError(key.error)}`,
          key.error,
        );
      else if (key.missing)
        push("FAIL", `${label} does not exist: CloudTrail cannot encrypt log files with it`);
      else if (key.state !== "Enabled")
        push("FAIL", `${label} is ${key.state ?? "in an unknown state"}, not Enabled`);
      else if (!key.rotation) push("ERROR", `${label}: rotation status was not read`);
      else if (key.rotation.error)
        push(
          "ERROR",
          `${label}: rotation status cannot be read: ${describeError(key.rotation.error)}`,
          key.rotation.error,
        );
      else if (!key.rotation.value) push("FAIL", `${label} is enabled but does not rotate`);
      else push("PASS", `${label} is enabled and rotates`);
    }
    return out;
  },
};
