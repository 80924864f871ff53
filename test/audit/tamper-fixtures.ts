// Literal IAM snapshots and log bucket records for the tamper and bucket check tests.
import type { IamPrincipalRecord, IamSnapshot, LogBucketRecord } from "../../src/audit/inventory.ts";

export const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
export const allowAll = doc({ Effect: "Allow", Action: "*", Resource: "*" });

export function role(
  account: string,
  name: string,
  inline: Record<string, object> = {},
  over: Partial<IamPrincipalRecord> = {},
): IamPrincipalRecord {
  return {
    arn: `arn:aws:iam::${account}:role/${name}`,
    name,
    inlinePolicies: Object.entries(inline).map(([n, d]) => ({ name: n, document: d })),
    attachedPolicyArns: [],
    ...over,
  };
}

export function iam(over: Partial<IamSnapshot> = {}): IamSnapshot {
  return { users: [], roles: [], groups: [], managedPolicies: [], ...over };
}

const PAB_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/** A log bucket that passes every bucket check unless overridden. */
export function logBucket(
  name: string,
  accountId: string,
  over: Partial<LogBucketRecord> = {},
): LogBucketRecord {
  return {
    name,
    accountId,
    policy: { value: null },
    acl: { value: { grants: [{ grantee: "owner-canonical-id", permission: "FULL_CONTROL" }] } },
    publicAccessBlock: { value: PAB_ON },
    logging: { value: { targetBucket: `${name}-access` } },
    versioning: { value: { status: "Enabled" } },
    objectLock: { value: { enabled: true, defaultRetention: { mode: "COMPLIANCE", days: 365 } } },
    lifecycle: { value: null },
    ...over,
  };
}
