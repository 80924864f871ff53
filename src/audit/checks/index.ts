// The check registry, and judging an inventory: every check over it, findings in a stable order.
import type { PolicyConfig } from "../../config/types.ts";
import type { Check, Finding } from "../finding.ts";
import type { Inventory } from "../inventory.ts";
import { accountDiscovery } from "./account-discovery.ts";
import { globalEventsSingle } from "./global-events-single.ts";
import { logBucketAccessLogging } from "./log-bucket-access-logging.ts";
import { logBucketDeletionProtection } from "./log-bucket-deletion-protection.ts";
import { logBucketPublic } from "./log-bucket-public.ts";
import { logBucketTamperAccess } from "./log-bucket-tamper-access.ts";
import { logFileValidation } from "./log-file-validation.ts";
import { trailCloudWatchLogs } from "./trail-cloudwatch-logs.ts";
import { trailCoverage } from "./trail-coverage.ts";
import { trailEncryption } from "./trail-encryption.ts";
import { trailKmsKey } from "./trail-kms-key.ts";
import { trailLogging } from "./trail-logging.ts";
import { trailS3DataEvents } from "./trail-s3-data-events.ts";
import { trailSns } from "./trail-sns.ts";
import { trailTamperAccess } from "./trail-tamper-access.ts";

export const checks: readonly Check[] = [
  trailCoverage,
  trailLogging,
  trailEncryption,
  trailSns,
  globalEventsSingle,
  logFileValidation,
  trailTamperAccess,
  logBucketTamperAccess,
  logBucketPublic,
  logBucketAccessLogging,
  logBucketDeletionProtection,
  trailKmsKey,
  trailCloudWatchLogs,
  trailS3DataEvents,
  accountDiscovery,
];

const ORDER = new Map(checks.map((c, i) => [c.id, i]));

/** Findings sort by check, account, region, resource, then status and message. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    (ORDER.get(a.check) ?? 99) - (ORDER.get(b.check) ?? 99) ||
    cmp(a.accountId, b.accountId) ||
    cmp(a.region ?? "", b.region ?? "") ||
    cmp(a.resource ?? "", b.resource ?? "") ||
    cmp(a.status, b.status) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Run every check; pure. */
export function judge(inventory: Inventory, policy: PolicyConfig): Finding[] {
  return checks.flatMap((c) => c.run(inventory, policy)).sort(compareFindings);
}
