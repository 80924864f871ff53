// Log bucket posture. Each audited account lists the buckets it owns (ListBuckets) and its
// account-level Block Public Access (S3 Control). Once every account is read, each log bucket named
// by a trail is read once, with the access of the account that owns it: policy, ACL, Block Public
// Access, server access logging, versioning (MFA Delete), Object Lock and lifecycle.
import {
  GetBucketAclCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from "@aws-sdk/client-s3-control";
import type { AwsClients } from "../aws/clients.ts";
import type { Limiter } from "../util/limit.ts";
import { attempt, type Outcome } from "./attempt.ts";
import { policyRecord } from "./collect-iam.ts";
import type { CollectionError, LogBucketRecord, PublicAccessBlock, Read } from "./inventory.ts";

type Pab = {
  BlockPublicAcls?: boolean;
  IgnorePublicAcls?: boolean;
  BlockPublicPolicy?: boolean;
  RestrictPublicBuckets?: boolean;
};
const pab = (c: Pab | undefined): PublicAccessBlock | null =>
  c
    ? {
        blockPublicAcls: c.BlockPublicAcls === true,
        ignorePublicAcls: c.IgnorePublicAcls === true,
        blockPublicPolicy: c.BlockPublicPolicy === true,
        restrictPublicBuckets: c.RestrictPublicBuckets === true,
      }
    : null;

/** The buckets an account owns, with their regions when S3 says. */
export function listOwnedBuckets(
  clients: AwsClients,
  accountId: string,
  signal?: AbortSignal,
): Promise<Outcome<{ name: string; region?: string }[]>> {
  const region = clients.config.region;
  return attempt(
    { service: "s3", operation: "ListBuckets", accountId, region },
    async () => {
      const all: { name: string; region?: string }[] = [];
      let token: string | undefined;
      do {
        const page = await clients
          .s3(region)
          .send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }), {
            abortSignal: signal,
          });
        for (const b of page.Buckets ?? [])
          if (b.Name) all.push(b.BucketRegion ? { name: b.Name, region: b.BucketRegion } : { name: b.Name });
        token = page.ContinuationToken;
      } while (token);
      return all.sort((a, b) => a.name.localeCompare(b.name));
    },
    signal,
  );
}

/** Account-level Block Public Access; null when the account has none. */
export async function readAccountPublicAccessBlock(
  clients: AwsClients,
  accountId: string,
  signal?: AbortSignal,
): Promise<Read<PublicAccessBlock | null>> {
  const region = clients.config.region;
  const out = await attempt(
    {
      service: "s3control",
      operation: "GetPublicAccessBlock",
      accountId,
      region,
      absent: ["NoSuchPublicAccessBlockConfiguration"],
    },
    () =>
      clients
        .s3Control(region)
        .send(new GetAccountPublicAccessBlockCommand({ AccountId: accountId }), { abortSignal: signal }),
    signal,
  );
  if (out.ok) return { value: pab(out.value.PublicAccessBlockConfiguration) };
  if (out.error.code === "NoSuchPublicAccessBlockConfiguration") return { value: null };
  return { error: out.error };
}

/** Read every posture item of one log bucket with its owner's access, through `limit`. */
export async function readLogBucket(
  clients: AwsClients,
  accountId: string,
  name: string,
  region: string,
  limit: Limiter,
  signal?: AbortSignal,
): Promise<LogBucketRecord> {
  const s3 = clients.s3(region);
  const read = async <O, T>(
    operation: string,
    send: () => Promise<O>,
    map: (o: O) => T,
    absent?: { code: string; value: T },
  ): Promise<Read<T>> => {
    const out = await attempt(
      {
        service: "s3",
        operation,
        accountId,
        region,
        resource: name,
        absent: absent ? [absent.code] : undefined,
      },
      () => limit(send),
      signal,
    );
    if (out.ok) return { value: map(out.value) };
    if (absent && out.error.code === absent.code) return { value: absent.value };
    return { error: out.error };
  };
  const opts = { abortSignal: signal };
  const Bucket = name;
  const [policy, acl, publicAccessBlock, logging, versioning, objectLock, lifecycle] = await Promise.all([
    read(
      "GetBucketPolicy",
      () => s3.send(new GetBucketPolicyCommand({ Bucket }), opts),
      (o) => policyRecord("bucket policy", o.Policy),
      { code: "NoSuchBucketPolicy", value: null },
    ),
    read(
      "GetBucketAcl",
      () => s3.send(new GetBucketAclCommand({ Bucket }), opts),
      (o) => ({
        grants: (o.Grants ?? []).map((g) => ({
          grantee: g.Grantee?.URI ?? g.Grantee?.ID ?? g.Grantee?.EmailAddress ?? "unknown",
          permission: g.Permission ?? "",
        })),
      }),
    ),
    read(
      "GetPublicAccessBlock",
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket }), opts),
      (o) => pab(o.PublicAccessBlockConfiguration),
      { code: "NoSuchPublicAccessBlockConfiguration", value: null },
    ),
    read(
      "GetBucketLogging",
      () => s3.send(new GetBucketLoggingCommand({ Bucket }), opts),
      (o) =>
        o.LoggingEnabled?.TargetBucket
          ? {
              targetBucket: o.LoggingEnabled.TargetBucket,
              ...(o.LoggingEnabled.TargetPrefix ? { targetPrefix: o.LoggingEnabled.TargetPrefix } : {}),
            }
          : null,
    ),
    read(
      "GetBucketVersioning",
      () => s3.send(new GetBucketVersioningCommand({ Bucket }), opts),
      (o) => ({
        ...(o.Status ? { status: o.Status } : {}),
        ...(o.MFADelete ? { mfaDelete: o.MFADelete } : {}),
      }),
    ),
    read(
      "GetObjectLockConfiguration",
      () => s3.send(new GetObjectLockConfigurationCommand({ Bucket }), opts),
      (o) => {
        const c = o.ObjectLockConfiguration;
        if (!c) return null;
        const d = c.Rule?.DefaultRetention;
        return {
          enabled: c.ObjectLockEnabled === "Enabled",
          ...(d
            ? {
                defaultRetention: {
                  ...(d.Mode ? { mode: d.Mode } : {}),
                  ...(d.Days !== undefined ? { days: d.Days } : {}),
                  ...(d.Years !== undefined ? { years: d.Years } : {}),
                },
              }
            : {}),
        };
      },
      { code: "ObjectLockConfigurationNotFoundError", value: null },
    ),
    read(
      "GetBucketLifecycleConfiguration",
      () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }), opts),
      (o) =>
        (o.Rules ?? []).map((r) => ({
          ...(r.ID ? { id: r.ID } : {}),
          status: r.Status ?? "Disabled",
          ...(r.Expiration?.Days !== undefined ? { expirationDays: r.Expiration.Days } : {}),
          ...((r.Filter?.Prefix ?? r.Prefix) !== undefined ? { prefix: r.Filter?.Prefix ?? r.Prefix } : {}),
        })),
      { code: "NoSuchLifecycleConfiguration", value: null },
    ),
  ]);
  return { name, accountId, policy, acl, publicAccessBlock, logging, versioning, objectLock, lifecycle };
}

/** A log bucket no audited account could read: why. */
export function unreadBucket(
  name: string,
  code: string,
  message: string,
  accountId?: string,
): LogBucketRecord {
  const error: CollectionError = { service: "s3", operation: "ListBuckets", code, message, resource: name };
  if (accountId) error.accountId = accountId;
  return { name, error };
}
