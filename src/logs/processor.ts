// Reads one log file, evaluates the detector on every record and commits the result: detections
// first (written and flushed), then the file's done mark. A download failure is retried with
// backoff and leaves the file not done; an unusable file is reported once and remembered as bad.
import type { Logger } from "../util/logger.ts";
import { type AnnouncingBatch, type BatchCommitter, type FileBatch, toBatchCommitter } from "./batch.ts";
import type { Detection } from "./detection.ts";
import type { Detector } from "./detector.ts";
import { type FileLimits, type JudgeResult, judgeFile, timeoutLabel } from "./judge.ts";
import { BadLogError } from "./reader.ts";
import { addBadFile, addError, type ScanSummary, type SourceSummary } from "./summary.ts";
import type { ScanWorkerPool } from "./workers/pool.ts";

export interface LogFileRef {
  /** Identity in the state store: s3://bucket/key or file:///abs/path. */
  key: string;
  /** What a detection's logFile and a warning name. */
  logFile: string;
  /** Version of the file (file://: size and mtime); a different sig means read it again. */
  sig?: string;
  /** JSON lines instead of a Records document. */
  lines: boolean;
  /** The bytes: a stream, or the whole content for a small file. */
  open(signal?: AbortSignal): Promise<AsyncIterable<Uint8Array> | Uint8Array>;
  /** A local file: a scan worker opens it itself. */
  path?: string;
}

/** Where finished files go: the state store (incremental scan) or memory (local scan). */
export interface FileCommitter {
  /** Record the file as done (bad when `bad` is given) with its detections; returns the new ones. */
  commit(ref: LogFileRef, detections: Detection[], bad?: string): Detection[];
}

export interface ProcessContext {
  detector: Detector;
  committer: FileCommitter | BatchCommitter;
  summary: ScanSummary;
  logger: Logger;
  signal?: AbortSignal;
  /** Attempts per file for download failures (default 3), with exponential backoff. */
  attempts?: number;
  backoffMs?: number;
  onDetection?: (d: Detection) => void | Promise<void>;
  /** Scan workers (logs.workers); without them files are judged on this thread. */
  pool?: ScanWorkerPool;
  /** logs.maxFileBytes and logs.fileTimeoutSeconds. */
  limits?: FileLimits;
}

export type FileOutcome = "read" | "bad" | "failed";

export async function processLogFile(
  ctx: ProcessContext,
  ref: LogFileRef,
  source: SourceSummary,
): Promise<FileOutcome> {
  const attempts = ctx.attempts ?? 3;
  const batches = toBatchCommitter(ctx.committer);
  for (let attempt = 1; ; attempt++) {
    // Shutdown: not an error; the file is not marked and waits for the next run.
    if (ctx.signal?.aborted) return "failed";
    const batch = batches.begin(ref);
    try {
      const result = await judge(ctx, ref, (d) => batch.add(d));
      batch.commit();
      source.files.read++;
      ctx.summary.records.read += result.records;
      ctx.summary.records.invalid += result.invalid;
      if (result.invalid)
        ctx.logger.warn("invalid records skipped", {
          file: ref.logFile,
          count: result.invalid,
          examples: result.invalidSamples,
        });
      if (result.evalErrors)
        ctx.logger.warn("rule evaluation failed on some records", {
          file: ref.logFile,
          count: result.evalErrors,
        });
      await announce(ctx, batch);
      return "read";
    } catch (err) {
      if (err instanceof BadLogError) {
        // Records before the damage were valid: their detections are kept.
        batch.commit(err.message);
        source.files.bad++;
        addBadFile(ctx.summary, ref.logFile, err.message);
        ctx.logger.warn("bad log file", { file: ref.logFile, reason: err.message });
        await announce(ctx, batch);
        return "bad";
      }
      batch.abort();
      if (ctx.signal?.aborted) return "failed";
      if (attempt >= attempts) {
        const message = `download failed: ${(err as Error).message}`;
        source.files.failed++;
        addError(ctx.summary, source.url, message, ref.logFile);
        ctx.logger.error("log file not read; it will be tried again", { file: ref.logFile, error: message });
        return "failed";
      }
      await sleep(backoff(ctx.backoffMs ?? 250, attempt), ctx.signal);
    }
  }
}

/**
 * Read and judge one file: on a scan worker when there are workers (a local file is opened by the
 * worker; S3 bytes are downloaded here, so workers never wait on the network, and transferred),
 * else on this thread. Large S3 objects arrive as a stream and are judged here, streaming.
 */
async function judge(
  ctx: ProcessContext,
  ref: LogFileRef,
  add: (d: Detection) => void,
): Promise<JudgeResult> {
  const input = { logFile: ref.logFile, lines: ref.lines, limits: ctx.limits ?? {}, startedAt: Date.now() };
  if (ctx.pool && ref.path) return ctx.pool.judge({ ...input, path: ref.path }, add);
  const timeoutMs = input.limits.timeoutMs;
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signals = [ctx.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  try {
    const bytes = await ref.open(signals.length > 1 ? AbortSignal.any(signals) : signals[0]);
    if (ctx.pool && bytes instanceof Uint8Array) return await ctx.pool.judge({ ...input, bytes }, add);
    return await judgeFile(ctx.detector, bytes, input, add);
  } catch (err) {
    // The time limit cut the download: the file is bad (too slow), not a download to retry.
    if (!(err instanceof BadLogError) && timeout?.aborted && !ctx.signal?.aborted)
      throw new BadLogError(`reading took longer than ${timeoutLabel(timeoutMs!)}`);
    throw err;
  }
}

async function announce(ctx: ProcessContext, batch: FileBatch): Promise<void> {
  if (!ctx.onDetection || !("fresh" in batch)) return;
  for (const d of (batch as AnnouncingBatch).fresh) await ctx.onDetection(d);
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
