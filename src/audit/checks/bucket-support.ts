// Log buckets as the bucket checks see them: each once, in the account that owns it (or, when no
// audited account does, in the first account whose trail names it), with the trails that name it.
import type {
  AccountInventory,
  CollectionError,
  Inventory,
  LogBucketRecord,
  Read,
  TrailRecord,
} from "../inventory.ts";
import { describeError } from "./support.ts";

export interface BucketView {
  bucket: LogBucketRecord;
  arn: string;
  account: AccountInventory;
  /** The owning account, when audited. */
  owner?: AccountInventory;
  trails: TrailRecord[];
}

export function bucketViews(inventory: Inventory): BucketView[] {
  const accounts = [...inventory.accounts].sort((a, b) => a.id.localeCompare(b.id));
  const out: BucketView[] = [];
  for (const bucket of inventory.logBuckets ?? []) {
    const trails = new Map<string, TrailRecord>();
    let namer: AccountInventory | undefined;
    for (const a of accounts)
      for (const t of a.trails)
        if (t.s3BucketName === bucket.name) {
          namer ??= a;
          if (!trails.has(t.arn)) trails.set(t.arn, t);
        }
    const owner = accounts.find((a) => a.id === bucket.accountId);
    const account = owner ?? namer;
    if (!account) continue;
    out.push({
      bucket,
      arn: `arn:aws:s3:::${bucket.name}`,
      account,
      owner,
      trails: [...trails.values()].sort((a, b) => a.arn.localeCompare(b.arn)),
    });
  }
  return out.sort((a, b) => a.bucket.name.localeCompare(b.bucket.name));
}

/** Why a bucket item is unknown: the bucket's own error, the item's, or it was never read. */
export function unknownBecause<T>(
  bucket: LogBucketRecord,
  item: Read<T> | undefined,
): { reason: string; error?: CollectionError } | undefined {
  if (bucket.error) return { reason: bucket.error.message, error: bucket.error };
  if (!item) return { reason: "it was not collected" };
  if (item.error) return { reason: describeError(item.error), error: item.error };
  return undefined;
}

/** Representative object ARNs of the log files the trails write to the bucket. */
export function logObjectArns(view: BucketView): string[] {
  const arns = view.trails.map((t) => {
    const prefix = t.s3KeyPrefix ? `${t.s3KeyPrefix.replace(/\/+$/, "")}/` : "";
    return `arn:aws:s3:::${view.bucket.name}/${prefix}AWSLogs/${t.ownerAccountId}/CloudTrail/${t.homeRegion}/2026/01/01/${t.ownerAccountId}_CloudTrail_${t.homeRegion}_20260101T0000Z_x.json.gz`;
  });
  return arns.length ? [...new Set(arns)] : [`arn:aws:s3:::${view.bucket.name}/AWSLogs/x`];
}
