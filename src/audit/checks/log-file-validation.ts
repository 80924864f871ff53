// log-file-validation: CloudTrail writes signed digest files so log files can be proven unaltered.
import type { Check, Finding } from "../finding.ts";
import { finding, trailLabel, trailViews } from "./support.ts";

export const logFileValidation: Check = {
  id: "log-file-validation",
  title: "Log file integrity validation is enabled",
  severity: "medium",
  compliance: ["CIS-AWS-3.0:3.2", "AWS-FSBP:CloudTrail.4"],
  remediation: "Enable validation: aws cloudtrail update-trail --name <trail> --enable-log-file-validation.",
  run(inventory, policy) {
    const out: Finding[] = [];
    for (const { trail, account } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      if (trail.logFileValidationEnabled)
        out.push(
          finding(logFileValidation, {
            ...base,
            status: "PASS",
            message: `${label} has log file validation enabled`,
          }),
        );
      else
        out.push(
          finding(logFileValidation, {
            ...base,
            status: policy.requireLogFileValidation ? "FAIL" : "PASS",
            message: policy.requireLogFileValidation
              ? `${label} has log file validation disabled`
              : `${label} has log file validation disabled, which policy.requireLogFileValidation=false allows`,
          }),
        );
    }
    return out;
  },
};
