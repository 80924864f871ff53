// Reads one log file, evaluates the detector on every record and commits the result: detections
// first (written and flushed), then the file's done mark. A download failure is retried with
// backoff and leaves the file not done; an unusable file is reported once and remembered as bad.
import type { Logger } from "../util/logger.ts";
import type { Detection } from "./detection.ts";
import { toDetection } from "./detection.ts";
import type { Detector } from "./detector.ts";
import { BadLogError, readLog } from "./reader.ts";
import {
  addBadFile,
  addError,
  countEvaluationErrors,
  type ScanSummary,
  type SourceSummary,
} from "./summary.ts";

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
}

/** Where finished files go: the state store (incremental scan) or memory (local scan). */
export interface FileCommitter {
  /** Record the file as done (bad when `bad` is given) with its detections; returns the new ones. */
  commit(ref: LogFileRef, detections: Detection[], bad?: string): Detection[];
}

export interface ProcessContext {
  detector: Detector;
  committer: FileCommitter;
  summary: ScanSummary;
  logger: Logger;
  signal?: AbortSignal;
  /** Attempts per file for download failures (default 3), with exponential backoff. */
  attempts?: number;
  backoffMs?: number;
  onDetection?: (d: Detection) => void | Promise<void>;
}

export type FileOutcome = "read" | "bad" | "failed";

export async function processLogFile(
  ctx: ProcessContext,
  ref: LogFileRef,
  source: SourceSummary,
): Promise<FileOutcome> {
  const attempts = ctx.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    // Shutdown: not an error; the file is not marked and waits for the next run.
    if (ctx.signal?.aborted) return "failed";
    const found: Detection[] = [];
    const ids = new Set<string>();
    // Per rule: one rule throwing on a record costs only that rule its verdict.
    const evalErrors = new Map<string, { count: number; first: string }>();
    const onRuleError = (rule: { id: string }, err: unknown) => {
      const seen = evalErrors.get(rule.id);
      if (seen) seen.count++;
      else evalErrors.set(rule.id, { count: 1, first: (err as Error)?.message ?? String(err) });
    };
    const onRecord = (record: Record<string, unknown>) => {
      let matches: ReturnType<Detector["evaluate"]>;
      try {
        matches = ctx.detector.evaluate(record, onRuleError);
      } catch (err) {
        // The detector itself failed (not one rule): reported under "*", never silently.
        onRuleError({ id: ALL_RULES }, err);
        return;
      }
      for (const m of matches) {
        const d = toDetection(m, record, ref.logFile);
        if (ids.has(d.id)) continue;
        ids.add(d.id);
        found.push(d);
      }
    };
    try {
      const result = await readLog(await ref.open(ctx.signal), { lines: ref.lines, onRecord });
      const fresh = ctx.committer.commit(ref, found);
      source.files.read++;
      ctx.summary.records.read += result.records;
      ctx.summary.records.invalid += result.invalid;
      if (result.invalid)
        ctx.logger.warn("invalid records skipped", {
          file: ref.logFile,
          count: result.invalid,
          examples: result.invalidSamples,
        });
      reportEvaluationErrors(ctx, ref, evalErrors);
      await announce(ctx, fresh);
      return "read";
    } catch (err) {
      if (err instanceof BadLogError) {
        // Records before the damage were valid: their detections are kept.
        const fresh = ctx.committer.commit(ref, found, err.message);
        reportEvaluationErrors(ctx, ref, evalErrors);
        source.files.bad++;
        addBadFile(ctx.summary, ref.logFile, err.message);
        ctx.logger.warn("bad log file", { file: ref.logFile, reason: err.message });
        await announce(ctx, fresh);
        return "bad";
      }
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

/** The evaluationErrors key for a record on which the detector as a whole failed. */
export const ALL_RULES = "*";

function reportEvaluationErrors(
  ctx: ProcessContext,
  ref: LogFileRef,
  errors: Map<string, { count: number; first: string }>,
): void {
  for (const [ruleId, e] of errors) {
    countEvaluationErrors(ctx.summary, ruleId, e.count);
    ctx.logger.warn("rule evaluation failed on some records", {
      file: ref.logFile,
      rule: ruleId,
      count: e.count,
      error: e.first,
    });
  }
}

async function announce(ctx: ProcessContext, fresh: Detection[]): Promise<void> {
  if (!ctx.onDetection) return;
  for (const d of fresh) await ctx.onDetection(d);
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
