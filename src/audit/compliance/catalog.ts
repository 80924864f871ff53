// Compliance frameworks as data: each control names the checks whose PASS findings together imply
// it. A finding carries a control id only when its own outcome bears on the control (a check may
// narrow that per finding: trail-encryption passing on SSE-S3 proves nothing about a KMS control).
// Control ids are written FRAMEWORK:ID, for example CIS-AWS-7.0:4.5.

export interface Control {
  id: string;
  title: string;
  checks: string[];
  /** all (default): every carrying finding must pass. any: one passing finding satisfies it. */
  mode?: "all" | "any";
  /** What the mapping does and does not cover. */
  note?: string;
}

export interface Framework {
  id: string;
  title: string;
  controls: Control[];
}

// CIS AWS Foundations Benchmark: the Logging section keeps the same numbering in 5.0 and 7.0.
const cisLogging = (): Control[] => [
  {
    id: "4.1",
    title: "Ensure CloudTrail is enabled in all regions",
    checks: ["trail-coverage"],
    note: "trail-coverage findings carry it only when a logging multi-region trail records read and write management events in the region",
  },
  {
    id: "4.2",
    title: "Ensure CloudTrail log file validation is enabled",
    checks: ["log-file-validation"],
    note: "a PASS allowed by policy.requireLogFileValidation=false does not carry it",
  },
  {
    id: "4.4",
    title: "Ensure server access logging is enabled on the CloudTrail S3 bucket",
    checks: ["log-bucket-access-logging"],
  },
  {
    id: "4.5",
    title: "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
    checks: ["trail-encryption"],
    note: "trail-encryption findings carry it only for SSE-KMS, or when they fail",
  },
  {
    id: "4.6",
    title: "Ensure rotation for customer-created symmetric CMKs is enabled",
    checks: ["trail-kms-key"],
    note: "only the keys that trails use are read, not every key of the account",
  },
  {
    id: "4.8",
    title: "Ensure that object-level logging for write events is enabled for S3 buckets",
    checks: ["trail-s3-data-events"],
    note: "evaluated only with policy.requireS3DataEvents",
  },
  {
    id: "4.9",
    title: "Ensure that object-level logging for read events is enabled for S3 buckets",
    checks: ["trail-s3-data-events"],
    note: "evaluated only with policy.requireS3DataEvents",
  },
];

export const FRAMEWORKS: readonly Framework[] = [
  {
    id: "CIS-AWS-7.0",
    title: "CIS Amazon Web Services Foundations Benchmark v7.0.0 (Logging)",
    controls: cisLogging(),
  },
  {
    id: "CIS-AWS-5.0",
    title: "CIS Amazon Web Services Foundations Benchmark v5.0.0 (Logging)",
    controls: cisLogging(),
  },
  {
    id: "AWS-FSBP",
    title: "AWS Foundational Security Best Practices (CloudTrail, and S3 controls on the log bucket)",
    controls: [
      {
        id: "CloudTrail.1",
        title:
          "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
        checks: ["trail-coverage"],
        note: "trail-coverage findings carry it only when a logging multi-region trail records read and write management events",
      },
      {
        id: "CloudTrail.2",
        title: "CloudTrail should have encryption at-rest enabled",
        checks: ["trail-encryption"],
        note: "SSE-KMS only: a trail on SSE-S3 does not satisfy it",
      },
      {
        id: "CloudTrail.3",
        title: "At least one CloudTrail trail should be enabled",
        checks: ["trail-logging"],
        mode: "any",
      },
      {
        id: "CloudTrail.4",
        title: "CloudTrail log file validation should be enabled",
        checks: ["log-file-validation"],
      },
      {
        id: "CloudTrail.5",
        title: "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
        checks: ["trail-cloudwatch-logs"],
        note: "evaluated only with policy.requireCloudWatchLogs",
      },
      {
        id: "CloudTrail.6",
        title: "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
        checks: ["log-bucket-public"],
      },
      {
        id: "CloudTrail.7",
        title: "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
        checks: ["log-bucket-access-logging"],
      },
      {
        id: "S3.2",
        title: "S3 general purpose buckets should block public read access",
        checks: ["log-bucket-public"],
        note: "for the log buckets only",
      },
      {
        id: "S3.3",
        title: "S3 general purpose buckets should block public write access",
        checks: ["log-bucket-public"],
        note: "for the log buckets only",
      },
      {
        id: "S3.9",
        title: "S3 general purpose buckets should have server access logging enabled",
        checks: ["log-bucket-access-logging"],
        note: "for the log buckets only",
      },
    ],
  },
];

/** Every control id (FRAMEWORK:ID) that lists the check; optionally only those whose id is in `only`. */
export function controlsFor(checkId: string, only?: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of FRAMEWORKS)
    for (const c of f.controls)
      if (c.checks.includes(checkId) && (!only || only.includes(c.id))) out.push(`${f.id}:${c.id}`);
  return out;
}
