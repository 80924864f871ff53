// Second pass, once every account is read: the log buckets and KMS keys that trails name, each read
// once, with the access of the audited account that owns it. A bucket or key whose account is not
// audited (or could not be read) is recorded with the reason, so its checks are ERROR, never PASS.
import type { AwsClients } from "../aws/clients.ts";
import { createLimiter, type Limiter, mapLimit } from "../util/limit.ts";
import { readLogBucket, unreadBucket } from "./collect-buckets.ts";
import { readKey } from "./collect-keys.ts";
import type { AccountInventory, KeyRecord, LogBucketRecord } from "./inventory.ts";
import { arnAccount, arnRegion } from "./records.ts";

/** Every bucket the audited accounts listed (ListBuckets): its owner and, when S3 says, its region. */
export interface OwnedBuckets {
  owner: Map<string, string>;
  region: Map<string, string>;
}

export interface ResourceContext {
  accounts: readonly AccountInventory[];
  clientsById: ReadonlyMap<string, AwsClients>;
  buckets: OwnedBuckets;
  accountConcurrency: number;
  concurrencyPerAccount: number;
  signal?: AbortSignal;
}

export async function readTrailResources(
  ctx: ResourceContext,
): Promise<{ logBuckets: LogBucketRecord[]; keys: KeyRecord[] }> {
  const bucketHome = new Map<string, string>();
  const keyIds = new Set<string>();
  for (const a of ctx.accounts)
    for (const t of a.trails) {
      if (t.s3BucketName && !bucketHome.has(t.s3BucketName)) bucketHome.set(t.s3BucketName, t.homeRegion);
      if (t.kmsKeyId) keyIds.add(t.kmsKeyId);
    }
  const blind = ctx.accounts.filter((a) => a.error || a.ownedBucketsError).map((a) => a.id);
  const limiters = new Map<string, Limiter>();
  const limitFor = (id: string) => {
    let l = limiters.get(id);
    if (!l) {
      l = createLimiter(ctx.concurrencyPerAccount);
      limiters.set(id, l);
    }
    return l;
  };
  const byId = new Map(ctx.accounts.map((a) => [a.id, a]));
  const ownerOf = (name: string) => byId.get(ctx.buckets.owner.get(name) ?? "");

  const bucketsRead = mapLimit([...bucketHome.keys()].sort(), ctx.accountConcurrency, async (name) => {
    const account = ownerOf(name);
    const clients = account && ctx.clientsById.get(account.id);
    if (!account || !clients) {
      const why = blind.length
        ? `no audited account lists bucket ${name} as its own; the buckets of ${blind.join(", ")} could not be listed`
        : `bucket ${name} belongs to no audited account, so its policy, ACL and settings cannot be read`;
      return unreadBucket(name, blind.length ? "OwnerUnknown" : "NotAudited", why);
    }
    const region = ctx.buckets.region.get(name) ?? bucketHome.get(name)!;
    return readLogBucket(clients, account.id, name, region, limitFor(account.id), ctx.signal);
  });

  const keysRead = mapLimit([...keyIds].sort(), ctx.accountConcurrency, async (id): Promise<KeyRecord> => {
    const accountId = arnAccount(id);
    const account = byId.get(accountId);
    const clients = account && !account.error ? ctx.clientsById.get(accountId) : undefined;
    if (!clients)
      return {
        id,
        error: {
          service: "kms",
          operation: "DescribeKey",
          code: account ? "NotRead" : "NotAudited",
          message: account
            ? `key ${id} belongs to account ${accountId}, which could not be read`
            : `key ${id} belongs to ${accountId ? `account ${accountId}, which is not audited` : "no account named in its id"}`,
          resource: id,
        },
      };
    return readKey(clients, accountId, id, arnRegion(id), limitFor(accountId), ctx.signal);
  });
  // Buckets and keys are independent: read them side by side.
  const [logBuckets, keys] = await Promise.all([bucketsRead, keysRead]);
  return { logBuckets, keys };
}
