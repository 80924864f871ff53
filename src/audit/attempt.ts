// Runs one AWS call and turns its failure into a CollectionError that says where it happened, so
// one account's or region's failure is recorded in the inventory instead of stopping the audit.
import { errorCode } from "../aws/clients.ts";
import { auditProgress } from "../util/progress.ts";
import type { CollectionError } from "./inventory.ts";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: CollectionError };

export interface CallSite {
  service: string;
  operation: string;
  accountId?: string;
  region?: string;
  resource?: string;
  /** Error codes that only say "not configured" (no bucket policy, say): an answer, not a failure. */
  absent?: readonly string[];
}

// AWS messages are untrusted input: keep them one bounded line.
const MAX_MESSAGE = 500;

function toCollectionError(site: CallSite, err: unknown): CollectionError {
  const raw = String((err as { message?: unknown })?.message ?? err ?? "");
  const message = raw.replace(/\s+/g, " ").trim().slice(0, MAX_MESSAGE);
  const e: CollectionError = {
    service: site.service,
    operation: site.operation,
    code: errorCode(err),
    message,
  };
  if (site.accountId) e.accountId = site.accountId;
  if (site.region) e.region = site.region;
  if (site.resource) e.resource = site.resource;
  return e;
}

/** Await `call`; on failure return the located error. An abort is not a finding: it is rethrown. */
export async function attempt<T>(
  site: CallSite,
  call: () => Promise<T>,
  signal?: AbortSignal,
): Promise<Outcome<T>> {
  auditProgress.add("calls");
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    if (!site.absent?.includes(errorCode(err))) auditProgress.add("errors");
    return { ok: false, error: toCollectionError(site, err) };
  }
}
