// runScan: one incremental pass over every configured log source. Progress lives in the state
// store (config.state.dir); detections are appended to output.dir/detections.jsonl, each file's
// lines flushed before the file is marked done, and ids already emitted are never written again.
import { join } from "node:path";
import { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { StateStore } from "../state/store.ts";
import { createLimiter } from "../util/limit.ts";
import { type Logger, silentLogger } from "../util/logger.ts";
import { StateCommitter } from "./commit.ts";
import type { Detection } from "./detection.ts";
import { DetectionsLog } from "./detections-log.ts";
import type { Detector } from "./detector.ts";
import { fileLimits } from "./judge.ts";
import { FileSource } from "./sources/file.ts";
import { S3Source } from "./sources/s3.ts";
import type { LogSource, SourceRunContext } from "./sources/source.ts";
import { SqsSource } from "./sources/sqs.ts";
import { addError, addSourceFiles, emptySummary, type ScanSummary } from "./summary.ts";
import type { ScanWorkerPool } from "./workers/pool.ts";

export type { ScanSummary } from "./summary.ts";

export interface RunScanOptions {
  config: Config;
  detector: Detector;
  clients?: AwsClients;
  logger?: Logger;
  signal?: AbortSignal;
  /** First run starts here instead of the look-back. */
  since?: Date;
  /** One-shot: stop SQS when a long poll returns nothing (default true). */
  drain?: boolean;
  /** Called after the detection's line is in detections.jsonl. */
  onDetection?: (d: Detection) => void | Promise<void>;
  /** Clock for tests. */
  now?: Date;
  /** Scan workers (logs.workers), owned by the caller; without them files are judged on this thread. */
  pool?: ScanWorkerPool;
}

export const DETECTIONS_FILE = "detections.jsonl";

/** Ids of emitted detections are kept this long: twice the look-back, at least two days. */
export function emittedRetentionMs(config: Config): number {
  return Math.max(2 * config.logs.lookbackHours, 48) * 3_600_000;
}

export function sourceFor(url: string): LogSource {
  if (url.startsWith("s3://")) return new S3Source(url);
  if (url.startsWith("sqs://")) return new SqsSource(url);
  if (url.startsWith("file://")) return new FileSource(url);
  throw new Error(`unsupported log source ${url} (use s3://, sqs:// or file://)`);
}

export async function runScan(opts: RunScanOptions): Promise<ScanSummary> {
  const { config } = opts;
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? new Date();
  const summary = emptySummary(now);
  const state = StateStore.open(config.state.dir);
  const log = new DetectionsLog(join(config.output.dir, DETECTIONS_FILE));
  const ownClients = !opts.clients && needsAws(config) ? new AwsClients(config.aws) : undefined;
  try {
    // Lines written after the last journal entry (a crash between the two) count as emitted.
    const recovered = log.recover(state.detectionsOffset);
    if (recovered.ids.length || recovered.size !== state.detectionsOffset)
      state.recordEmitted(recovered.ids, recovered.size);
    const sources = config.logs.sources.map(sourceFor);
    const ctx: SourceRunContext = {
      config,
      state,
      detector: opts.detector,
      committer: new StateCommitter(state, log, summary),
      summary,
      logger,
      signal: opts.signal,
      onDetection: opts.onDetection,
      pool: opts.pool,
      limits: fileLimits(config),
      limit: createLimiter(config.logs.concurrency),
      clients: opts.clients ?? ownClients,
      now,
      since: opts.since,
      drain: opts.drain ?? true,
    };
    for (const source of sources) {
      if (opts.signal?.aborted) break;
      try {
        summary.sources.push(await source.run(ctx));
      } catch (err) {
        const message = `${(err as Error).name}: ${(err as Error).message}`;
        addError(summary, source.url, message);
        logger.error("log source failed", { source: source.url, error: message });
      }
    }
    for (const s of summary.sources) addSourceFiles(summary, s);
    state.compact({
      emittedBefore: now.getTime() - emittedRetentionMs(config),
      forgetFile: (key, mark) => {
        for (const s of sources) {
          const verdict = s.forget?.(key, mark, now.getTime());
          if (verdict !== undefined) return verdict;
        }
        // Marks no source claims (an SQS-notified file, a source since removed) age out.
        return !key.startsWith("file://") && mark.at < now.getTime() - emittedRetentionMs(config);
      },
    });
  } finally {
    log.close();
    state.close();
    ownClients?.destroy();
  }
  summary.finishedAt = new Date().toISOString();
  return summary;
}

function needsAws(config: Config): boolean {
  return config.logs.sources.some((s) => s.startsWith("s3://") || s.startsWith("sqs://"));
}
