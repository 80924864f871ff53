// trail-logging: each trail is logging and its last delivery to S3 did not fail.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { finding, statusOf, trailLabel, trailViews } from "./support.ts";

export const trailLogging: Check = {
  id: "trail-logging",
  title: "Each trail is logging and delivering log files",
  severity: "high",
  compliance: controlsFor("trail-logging"),
  remediation:
    "Start logging (aws cloudtrail start-logging --name <trail>) and make sure the log bucket exists and its policy lets cloudtrail.amazonaws.com write (and the KMS key policy, if any, lets it encrypt).",
  run(inventory) {
    const out: Finding[] = [];
    for (const { trail, account, bucket } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      const known = statusOf(trail, inventory);
      if (bucket?.missing) {
        out.push(
          finding(trailLogging, {
            ...base,
            status: "FAIL",
            message: `${label} delivers to log bucket ${bucket.name}, which does not exist`,
          }),
        );
      } else if (!known.status) {
        out.push(
          finding(trailLogging, {
            ...base,
            status: "ERROR",
            message: `status of ${label} is unknown: ${known.reason}`,
            error: known.error,
          }),
        );
      } else if (!known.status.isLogging) {
        const since = known.status.stopLoggingTime ? ` since ${known.status.stopLoggingTime}` : "";
        out.push(
          finding(trailLogging, { ...base, status: "FAIL", message: `${label} is not logging${since}` }),
        );
      } else if (known.status.latestDeliveryError) {
        out.push(
          finding(trailLogging, {
            ...base,
            status: "FAIL",
            message: `${label} is logging but its latest delivery failed: ${known.status.latestDeliveryError}`,
          }),
        );
      } else {
        out.push(
          finding(trailLogging, {
            ...base,
            status: "PASS",
            message: `${label} is logging with no delivery error`,
          }),
        );
      }
    }
    return out;
  },
};
