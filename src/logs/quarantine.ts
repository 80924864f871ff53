// Files that could not be read. A transient failure (throttling or 5xx beyond the SDK's retries,
// a cut body) is retried at the next run; a permanent one (AccessDenied, NoSuchKey, a KMS key it
// may not use, an archived object) with exponential backoff, until logs.quarantine.giveUpHours
// after the first failure, when it is reported bad for good. Either way the key is in the store,
// so a cursor can move past it and the look-back list does not grow behind it, and nothing that
// failed is dropped silently: it is in every summary until it is read or given up.
import type { Config } from "../config/types.ts";
import type { StateStore } from "../state/store.ts";
import type { Logger } from "../util/logger.ts";
import type { FileOutcome, LogFileRef, ReadFailure } from "./processor.ts";
import { addBadFile, addQuarantined, type ScanSummary, type SourceSummary } from "./summary.ts";

const HOUR = 3_600_000;
const MAX_BACKOFF = 24 * HOUR;

export interface QuarantineContext {
  config: Config;
  state: StateStore;
  summary: ScanSummary;
  logger: Logger;
}

/** True when the key is in quarantine and its retry time has not come. */
export function waitsInQuarantine(ctx: { state: StateStore; now: Date }, key: string): boolean {
  const q = ctx.state.quarantineEntry(key);
  return q !== undefined && q.nextAt > ctx.now.getTime();
}

export function quarantineFile(
  ctx: QuarantineContext,
  ref: LogFileRef,
  failure: ReadFailure,
  source: SourceSummary,
  now = Date.now(),
): FileOutcome {
  const policy = ctx.config.logs.quarantine;
  const prev = ctx.state.quarantineEntry(ref.key);
  const firstAt = prev?.firstAt ?? now;
  const attempts = (prev?.attempts ?? 0) + 1;
  if (failure.kind === "permanent" && now - firstAt >= policy.giveUpHours * HOUR) {
    const reason = `given up after ${attempts} attempts over ${policy.giveUpHours} h: ${failure.reason}`;
    ctx.state.release(ref.key, { at: now, sig: ref.sig, bad: reason }, ref.scope);
    source.files.bad++;
    addBadFile(ctx.summary, ref.logFile, reason);
    ctx.logger.error("log file given up", { file: ref.logFile, reason });
    return "bad";
  }
  const wait =
    failure.kind === "transient"
      ? 0
      : Math.min(MAX_BACKOFF, policy.retryMinutes * 60_000 * 2 ** (attempts - 1));
  const entry = ctx.state.quarantine({
    key: ref.key,
    scope: ref.scope,
    kind: failure.kind,
    reason: failure.reason,
    at: now,
    nextAt: now + wait,
  });
  if (failure.kind === "transient") source.files.failed++;
  else source.files.quarantined++;
  addQuarantined(ctx.summary, {
    file: ref.logFile,
    kind: failure.kind,
    reason: failure.reason,
    attempts: entry.attempts,
    nextRetryAt: new Date(entry.nextAt).toISOString(),
  });
  ctx.logger.error("log file quarantined; it will be tried again", {
    file: ref.logFile,
    kind: failure.kind,
    reason: failure.reason,
    attempts: entry.attempts,
    nextRetryAt: new Date(entry.nextAt).toISOString(),
  });
  return "quarantined";
}
