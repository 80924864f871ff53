// Reads one log file, evaluates the detector on every record and commits the result: detections
// are handed to the committer as they are found (bounded memory), and the file's mark and its
// detections become durable together at commit. A cut download is retried here (the SDK already
// retried throttling and 5xx); a file that stays unreadable goes to ctx.onUnreadable (the store's
// quarantine); an unusable file is reported once and remembered as bad.

import type { FailureKind } from "../state/store.ts";
import { StorageFault } from "../util/fs.ts";
import type { Logger } from "../util/logger.ts";
import { scanProgress } from "../util/progress.ts";
import type { FileCommitter } from "./commit.ts";
import type { Detection, FoundDetection } from "./detection.ts";
import type { Detector } from "./detector.ts";
import {
  ALL_RULES,
  type FileLimits,
  type JudgeResult,
  judgeFile,
  type RuleErrors,
  timeoutLabel,
} from "./judge.ts";
import { BadLogError } from "./reader.ts";
import {
  addBadFile,
  addError,
  countEvaluationErrors,
  type ScanSummary,
  type SourceSummary,
} from "./summary.ts";
import type { ScanWorkerPool } from "./workers/pool.ts";

export { ALL_RULES };

export interface LogFileRef {
  /** Identity in the state store: s3://bucket/key or file:///abs/path. */
  key: string;
  /** What the mark belongs to (an S3 folder, a file:// source, a queue), for pruning by scope. */
  scope?: string;
  /** What a detection's logFile and a warning name. */
  logFile: string;
  /** Version of the file (file://: size and mtime); a different sig means read it again. */
  sig?: string;
  /** JSON lines instead of a Records document. */
  lines: boolean;
  /** The bytes: a stream, or the whole content for a small file. */
  open(signal?: AbortSignal): Promise<AsyncIterable<Uint8Array> | Uint8Array>;
  /** Log integrity, one per attempt: sees the uncompressed bytes as they are read, then gives the
   * detections the file's hash leads to (`bad`: why the file could not be read whole). */
  integrity?: () => FileIntegrity;
  /** A local file: a scan worker opens it itself. */
  path?: string;
}

/** Log integrity's view of one log file: its hash (or why it could not be read whole) in, problems out. */
export interface FileIntegrity {
  finish(bad?: string, sha256?: string): Detection[];
}

export interface ProcessContext {
  detector: Detector;
  committer: FileCommitter;
  summary: ScanSummary;
  logger: Logger;
  signal?: AbortSignal;
  /** Attempts per file for failures the SDK does not retry itself (a cut body), with backoff. */
  attempts?: number;
  backoffMs?: number;
  onDetection?: (d: Detection) => void | Promise<void>;
  /**
   * A file that could not be read after its attempts: the incremental scan quarantines it (retried
   * later by key); without it the failure is only reported.
   */
  onUnreadable?: (ref: LogFileRef, failure: ReadFailure, source: SourceSummary) => FileOutcome;
  /** The configuration's `output.includeEvent`: detections carry the raw record. */
  config?: { output: { includeEvent?: boolean } };
  /** Scan workers (logs.workers); without them files are judged on this thread. */
  pool?: ScanWorkerPool;
  /** logs.maxFileBytes and logs.fileTimeoutSeconds. */
  limits?: FileLimits;
  /**
   * Group commit: resolves when the files committed so far are durable. A file is reported done
   * (and an SQS message deleted after it) only then.
   */
  durable?: () => Promise<void>;
}

export type FileOutcome = "read" | "bad" | "failed" | "quarantined";

export interface ReadFailure {
  kind: FailureKind;
  reason: string;
}

/** Errors that no retry will cure: the key is quarantined and retried with backoff. */
const PERMANENT = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "NoSuchKey",
  "NoSuchBucket",
  "InvalidObjectState",
  "KMS.AccessDeniedException",
  "KMS.DisabledException",
  "KMS.NotFoundException",
  "KMS.KMSInvalidStateException",
  "KMS.InvalidCiphertextException",
  "EACCES",
  "ENOENT",
  "EPERM",
  "EISDIR",
]);

export function classifyFailure(err: unknown): ReadFailure {
  const e = err as { name?: string; Code?: string; code?: string; message?: string };
  const code = e?.Code ?? (typeof e?.code === "string" ? e.code : undefined) ?? e?.name ?? "Error";
  const kind: FailureKind = PERMANENT.has(code) || /^KMS\./.test(code) ? "permanent" : "transient";
  return { kind, reason: `${code}: ${e?.message ?? String(err)}` };
}

/** The SDK already retried an error that carries response metadata: do not stack retries on it. */
function retriedBySdk(err: unknown): boolean {
  return typeof err === "object" && err !== null && "$metadata" in err;
}

export async function processLogFile(
  ctx: ProcessContext,
  ref: LogFileRef,
  source: SourceSummary,
): Promise<FileOutcome> {
  const attempts = ctx.attempts ?? 3;
  const includeEvent = ctx.config?.output.includeEvent === true;
  for (let attempt = 1; ; attempt++) {
    // Shutdown: not an error; the file is not marked and waits for the next run.
    if (ctx.signal?.aborted) return "failed";
    const batch = ctx.committer.begin(ref);
    const integrity = ref.integrity?.();
    const progress = { opened: false };
    try {
      const options = { includeEvent, hash: integrity !== undefined };
      const result = await judge(ctx, ref, options, progress, (d) => batch.add(d));
      // Integrity problems (a modified file, say) are detections of this file, in its commit.
      for (const d of integrity?.finish(undefined, result.sha256) ?? []) batch.add(d);
      const fresh = batch.commit();
      await ctx.durable?.();
      source.files.read++;
      ctx.summary.records.read += result.records;
      scanProgress.add("files");
      scanProgress.add("records", result.records);
      ctx.summary.records.invalid += result.invalid;
      if (result.invalid)
        ctx.logger.warn("invalid records skipped", {
          file: ref.logFile,
          count: result.invalid,
          examples: result.invalidSamples,
        });
      reportEvaluationErrors(ctx, ref, result.evalErrors);
      await announce(ctx, fresh);
      return "read";
    } catch (err) {
      if (err instanceof StorageFault) {
        batch.abort();
        throw err;
      }
      if (err instanceof BadLogError) {
        // Records before the damage were valid: their detections are kept.
        for (const d of integrity?.finish(err.message) ?? []) batch.add(d);
        const fresh = batch.commit(err.message);
        await ctx.durable?.();
        source.files.bad++;
        scanProgress.add("files");
        scanProgress.add("bad");
        addBadFile(ctx.summary, ref.logFile, err.message);
        ctx.logger.warn("bad log file", { file: ref.logFile, reason: err.message });
        await announce(ctx, fresh);
        return "bad";
      }
      batch.abort();
      if (ctx.signal?.aborted) return "failed";
      const failure = classifyFailure(err);
      const final =
        failure.kind === "permanent" || attempt >= attempts || (!progress.opened && retriedBySdk(err));
      if (final) return unreadable(ctx, ref, source, failure);
      await sleep(backoff(ctx.backoffMs ?? 250, attempt), ctx.signal);
    }
  }
}

function unreadable(
  ctx: ProcessContext,
  ref: LogFileRef,
  source: SourceSummary,
  f: ReadFailure,
): FileOutcome {
  const message = `not read (${f.kind}): ${f.reason}`;
  addError(ctx.summary, source.url, message, ref.logFile);
  if (!ctx.onUnreadable) {
    source.files.failed++;
    ctx.logger.error("log file not read", { file: ref.logFile, error: message });
    return "failed";
  }
  return ctx.onUnreadable(ref, f, source);
}

function reportEvaluationErrors(ctx: ProcessContext, ref: LogFileRef, errors: RuleErrors): void {
  for (const [ruleId, e] of Object.entries(errors)) {
    countEvaluationErrors(ctx.summary, ruleId, e.count);
    ctx.logger.warn("rule evaluation failed on some records", {
      file: ref.logFile,
      rule: ruleId,
      count: e.count,
      error: e.first,
    });
  }
}

async function announce(ctx: ProcessContext, fresh: Iterable<Detection>): Promise<void> {
  if (!ctx.onDetection) return;
  for (const d of fresh) await ctx.onDetection(d);
}

/**
 * Read and judge one file: on a scan worker when there are workers (a local file is opened by the
 * worker; S3 bytes are downloaded here, so workers never wait on the network, and transferred),
 * else on this thread. Large S3 objects arrive as a stream and are judged here, streaming.
 */
async function judge(
  ctx: ProcessContext,
  ref: LogFileRef,
  options: { includeEvent: boolean; hash: boolean },
  progress: { opened: boolean },
  add: (d: FoundDetection) => void,
): Promise<JudgeResult> {
  const input = {
    logFile: ref.logFile,
    lines: ref.lines,
    limits: ctx.limits ?? {},
    startedAt: Date.now(),
    ...options,
  };
  const text = ctx.committer.textForm;
  if (ctx.pool && ref.path) return ctx.pool.judge({ ...input, path: ref.path, text }, add);
  const timeoutMs = input.limits.timeoutMs;
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signals = [ctx.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  try {
    const bytes = await ref.open(signals.length > 1 ? AbortSignal.any(signals) : signals[0]);
    progress.opened = true;
    if (ctx.pool && bytes instanceof Uint8Array) return await ctx.pool.judge({ ...input, bytes, text }, add);
    return await judgeFile(ctx.detector, bytes, input, add);
  } catch (err) {
    // The time limit cut the download: the file is bad (too slow), not a download to retry.
    if (!(err instanceof BadLogError) && timeout?.aborted && !ctx.signal?.aborted)
      throw new BadLogError(`reading took longer than ${timeoutLabel(timeoutMs!)}`);
    throw err;
  }
}

/** Exponential backoff with full jitter. */
function backoff(base: number, attempt: number): number {
  return Math.random() * base * 2 ** (attempt - 1);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
