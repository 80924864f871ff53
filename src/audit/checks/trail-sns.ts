// trail-sns: the trail names an SNS topic, the topic exists (read by ARN in its own region and
// account) and CloudTrail's latest publish to it did not fail.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { describeError, finding, statusOf, trailLabel, trailViews } from "./support.ts";

export const trailSns: Check = {
  id: "trail-sns",
  title: "Each trail notifies an existing SNS topic of new log files",
  severity: "low",
  compliance: controlsFor("trail-sns"),
  remediation:
    "Point the trail at an SNS topic whose policy allows cloudtrail.amazonaws.com to publish (aws cloudtrail update-trail --name <trail> --sns-topic-name <arn>).",
  run(inventory, policy) {
    const out: Finding[] = [];
    for (const { trail, account, topic } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      const arn = trail.snsTopicArn;
      const known = statusOf(trail, inventory);
      if (!arn) {
        out.push(
          finding(trailSns, {
            ...base,
            status: policy.requireSns ? "FAIL" : "PASS",
            message: policy.requireSns
              ? `${label} has no SNS topic`
              : `${label} has no SNS topic, which policy.requireSns=false allows`,
          }),
        );
      } else if (known.status?.latestNotificationError) {
        out.push(
          finding(trailSns, {
            ...base,
            status: "FAIL",
            message: `${label} fails to publish to ${arn}: ${known.status.latestNotificationError}`,
          }),
        );
      } else if (topic && !topic.exists && !topic.error) {
        out.push(
          finding(trailSns, {
            ...base,
            status: "FAIL",
            message: `SNS topic ${arn} of ${label} does not exist`,
          }),
        );
      } else if (!topic || topic.error) {
        out.push(
          finding(trailSns, {
            ...base,
            status: "ERROR",
            message: `SNS topic ${arn} of ${label} cannot be read: ${topic?.error ? describeError(topic.error) : "it was not read"}`,
            error: topic?.error,
          }),
        );
      } else if (!known.status) {
        out.push(
          finding(trailSns, {
            ...base,
            status: "ERROR",
            message: `whether ${label} can publish to ${arn} is unknown: ${known.reason}`,
            error: known.error,
          }),
        );
      } else {
        out.push(
          finding(trailSns, {
            ...base,
            status: "PASS",
            message: `${label} notifies ${arn} with no publish error`,
          }),
        );
      }
    }
    return out;
  },
};
