// Literal inventory pieces for the check unit tests: every field spelled out, defaults that pass.
import type { AccountInventory, Inventory, TrailRecord } from "../../src/audit/inventory.ts";
import type { PolicyConfig } from "../../src/config/types.ts";

export const POLICY: PolicyConfig = {
  requireKms: false,
  requireSns: true,
  requireLogFileValidation: true,
  trailAdmins: [],
  requireCloudWatchLogs: false,
  requireS3DataEvents: false,
};

export const A = "111111111111";
export const B = "222222222222";
export const MGMT = "999999999999";

export function arn(account: string, region: string, name: string): string {
  return `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
}

/** A trail that passes every check unless overridden. */
export function trail(account: string, name: string, over: Partial<TrailRecord> = {}): TrailRecord {
  const homeRegion = over.homeRegion ?? "us-east-1";
  return {
    arn: arn(over.ownerAccountId ?? account, homeRegion, name),
    name,
    homeRegion,
    ownerAccountId: account,
    isMultiRegion: true,
    isOrganizationTrail: false,
    includeGlobalServiceEvents: true,
    logFileValidationEnabled: true,
    hasCustomEventSelectors: false,
    s3BucketName: `${name}-logs`,
    snsTopicArn: `arn:aws:sns:${homeRegion}:${account}:${name}-topic`,
    status: { isLogging: true },
    ...over,
  };
}

/** An account whose regions list exactly the given trails (by region). */
export function account(
  id: string,
  regions: Record<string, TrailRecord[]>,
  over: Partial<AccountInventory> = {},
): AccountInventory {
  const trails = new Map<string, TrailRecord>();
  for (const list of Object.values(regions)) for (const t of list) trails.set(t.arn, t);
  const all = [...trails.values()];
  return {
    id,
    regions: Object.keys(regions),
    regionViews: Object.entries(regions).map(([region, list]) => ({
      region,
      trailArns: list.map((t) => t.arn),
    })),
    trails: all,
    buckets: [...new Set(all.map((t) => t.s3BucketName!))].map((name) => ({
      name,
      encryption: { algorithm: "AES256" },
    })),
    topics: [...new Set(all.map((t) => t.snsTopicArn).filter((a): a is string => !!a))].map((a) => ({
      arn: a,
      exists: true,
    })),
    ...over,
  };
}

export function inventory(...accounts: AccountInventory[]): Inventory {
  return {
    schemaVersion: 1,
    collectedAt: "2026-11-20T12:00:00.000Z",
    accountSource: "config",
    accounts,
    errors: [],
  };
}
