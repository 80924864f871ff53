// trail-cloudwatch-logs (only with policy.requireCloudWatchLogs): each trail delivers to a
// CloudWatch Logs group and did so within the last 24 hours of the inventory (FSBP CloudTrail.5).
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { finding, statusOf, trailLabel, trailViews } from "./support.ts";

const DAY_MS = 24 * 3600 * 1000;

export const trailCloudWatchLogs: Check = {
  id: "trail-cloudwatch-logs",
  title: "The trail delivers to CloudWatch Logs",
  severity: "low",
  compliance: controlsFor("trail-cloudwatch-logs"),
  remediation:
    "Send the trail to a CloudWatch Logs group (aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <arn> --cloud-watch-logs-role-arn <role>) and check the role lets CloudTrail write.",
  run(inventory, policy) {
    if (!policy.requireCloudWatchLogs) return [];
    const out: Finding[] = [];
    const now = Date.parse(inventory.collectedAt);
    for (const { trail, account } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      const push = (
        status: Finding["status"],
        message: string,
        error?: Parameters<typeof finding>[1]["error"],
      ) => out.push(finding(trailCloudWatchLogs, { ...base, status, message, error }));
      if (!trail.cloudWatchLogsLogGroupArn) {
        push("FAIL", `${label} does not deliver to CloudWatch Logs`);
        continue;
      }
      const known = statusOf(trail, inventory);
      const s = known.status;
      if (!s) push("ERROR", `CloudWatch Logs delivery of ${label} is unknown: ${known.reason}`, known.error);
      else if (s.latestCloudWatchLogsDeliveryError)
        push(
          "FAIL",
          `${label} fails to deliver to ${trail.cloudWatchLogsLogGroupArn}: ${s.latestCloudWatchLogsDeliveryError}`,
        );
      else if (!s.latestCloudWatchLogsDeliveryTime)
        push(
          "FAIL",
          `${label} names log group ${trail.cloudWatchLogsLogGroupArn} but has never delivered to it`,
        );
      else if (now - Date.parse(s.latestCloudWatchLogsDeliveryTime) > DAY_MS)
        push(
          "FAIL",
          `${label} last delivered to CloudWatch Logs at ${s.latestCloudWatchLogsDeliveryTime}, more than 24 h before ${inventory.collectedAt}`,
        );
      else
        push(
          "PASS",
          `${label} delivers to ${trail.cloudWatchLogsLogGroupArn} (last at ${s.latestCloudWatchLogsDeliveryTime})`,
        );
    }
    return out;
  },
};
