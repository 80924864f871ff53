// Shared, pure helpers of the checks: how to word an unknown, which view of a trail to judge, and a
// finding builder that fills in the check's constant fields.
import type { Check, Finding, FindingStatus } from "../finding.ts";
import type {
  AccountInventory,
  BucketRecord,
  CollectionError,
  Inventory,
  TopicRecord,
  TrailRecord,
  TrailStatus,
} from "../inventory.ts";

/** Why something could not be determined, in words an operator acts on. */
export function describeError(e: CollectionError): string {
  const where = [e.accountId && `account ${e.accountId}`, e.region].filter(Boolean).join(", ");
  const call = `${e.service}:${e.operation}${where ? ` (${where})` : ""}`;
  return `${call} failed: ${reasonOf(e)}`;
}

function reasonOf(e: CollectionError): string {
  const text = `${e.code}: ${e.message}`;
  if (/service control policy/i.test(e.message)) return `denied by a service control policy (${text})`;
  if (/AccessDenied|AuthorizationError|Forbidden|UnauthorizedOperation/i.test(e.code))
    return `access denied (${text})`;
  if (e.code === "UnrecognizedClientException" || e.code === "InvalidClientTokenId")
    return `the region is not enabled for the account (an opt-in region) or the credentials are not valid there (${text})`;
  if (/Throttl|TooManyRequests|SlowDown|RequestLimitExceeded/i.test(e.code))
    return `throttled beyond the SDK's retries (${text})`;
  if (e.code === "AccountMismatch") return e.message;
  return text;
}

function errorRef(e: CollectionError): NonNullable<Finding["error"]> {
  const ref: NonNullable<Finding["error"]> = { service: e.service, operation: e.operation, code: e.code };
  if (e.region) ref.region = e.region;
  if (e.accountId) ref.accountId = e.accountId;
  return ref;
}

export interface FindingInput {
  status: FindingStatus;
  account: Pick<AccountInventory, "id" | "name">;
  region?: string;
  resource?: string;
  message: string;
  /** trail-coverage: the trails that cover the region. */
  trails?: string[];
  error?: CollectionError;
  /** The control ids this finding bears on, when narrower than the check's (see compliance/catalog.ts). */
  compliance?: string[];
}

export function finding(check: Check, f: FindingInput): Finding {
  const out: Finding = {
    check: check.id,
    status: f.status,
    severity: check.severity,
    accountId: f.account.id,
    message: f.message,
    remediation: f.status === "PASS" ? "None needed." : check.remediation,
  };
  if (f.account.name) out.accountName = f.account.name;
  if (f.region) out.region = f.region;
  if (f.resource) out.resource = f.resource;
  const compliance = f.compliance ?? check.compliance;
  if (compliance.length) out.compliance = [...compliance];
  if (f.trails?.length) out.trails = [...f.trails];
  if (f.error) {
    out.error = errorRef(f.error);
    if (f.status === "ERROR")
      out.remediation = `Grant read access or fix the failing call, then re-run. ${check.remediation}`;
  }
  return out;
}

/** One trail, and the account whose collected view of it is judged. */
export interface TrailView {
  trail: TrailRecord;
  account: AccountInventory;
  bucket?: BucketRecord;
  topic?: TopicRecord;
}

/**
 * Every distinct trail of the inventory, judged once: from its owner account when that account was
 * audited, otherwise (an organization trail seen from members) from the first member that saw it.
 */
export function trailViews(inventory: Inventory): TrailView[] {
  const byArn = new Map<string, TrailView>();
  const accounts = [...inventory.accounts].sort((a, b) => a.id.localeCompare(b.id));
  for (const account of accounts) {
    for (const trail of account.trails) {
      const seen = byArn.get(trail.arn);
      const owned = trail.ownerAccountId === account.id;
      if (seen && (seen.account.id === trail.ownerAccountId || !owned)) continue;
      byArn.set(trail.arn, {
        trail,
        account,
        bucket: account.buckets.find((b) => b.name === trail.s3BucketName),
        topic: account.topics.find((t) => t.arn === trail.snsTopicArn),
      });
    }
  }
  return [...byArn.values()].sort((a, b) => a.trail.arn.localeCompare(b.trail.arn));
}

/** A trail's name with its home, for messages. */
export function trailLabel(t: TrailRecord): string {
  const kind = t.isOrganizationTrail
    ? "organization trail"
    : t.isMultiRegion
      ? "multi-region trail"
      : "trail";
  return `${kind} ${t.name} (home ${t.homeRegion}${t.ownerAccountId ? `, account ${t.ownerAccountId}` : ""})`;
}

/** Account-level failure: every finding of that account is ERROR. */
export function accountErrorMessage(account: AccountInventory): string {
  return `could not read account ${account.id}: ${describeError(account.error!)}`;
}

export type StatusLookup =
  | { status: TrailStatus; reason?: undefined; error?: undefined }
  | { status?: undefined; reason: string; error?: CollectionError };

/**
 * A trail's GetTrailStatus answer. A member account does not read the status of a multi-region
 * organization trail whose owner is audited too (the answer is the same): it comes from the owner.
 */
export function statusOf(trail: TrailRecord, inventory: Inventory): StatusLookup {
  for (const t of [trail, ownerView(trail, inventory)]) {
    if (t?.status) return { status: t.status };
    if (t?.statusError) return { reason: describeError(t.statusError), error: t.statusError };
  }
  return {
    reason: `its status is read through its owner account ${trail.ownerAccountId}, which could not be read`,
  };
}

/** The same trail as its owner account collected it, when that account was audited. */
export function ownerView(trail: TrailRecord, inventory: Inventory): TrailRecord | undefined {
  return inventory.accounts
    .find((a) => a.id === trail.ownerAccountId)
    ?.trails.find((t) => t.arn === trail.arn);
}
