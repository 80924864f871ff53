// log-file-validation: CloudTrail writes signed digest files so log files can be proven unaltered.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { finding, trailLabel, trailViews } from "./support.ts";

export const logFileValidation: Check = {
  id: "log-file-validation",
  title: "Log file integrity validation is enabled",
  severity: "medium",
  compliance: controlsFor("log-file-validation"),
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
            // Allowed by policy is not validated: that PASS does not claim the validation controls.
            compliance: policy.requireLogFileValidation ? undefined : [],
            message: policy.requireLogFileValidation
              ? `${label} has log file validation disabled`
              : `${label} has log file validation disabled, which policy.requireLogFileValidation=false allows`,
          }),
        );
    }
    return out;
  },
};
