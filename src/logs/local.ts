// The one-off local scan (`scan --rules PATH --logs PATH`): every log file under the paths, no
// progress store, detections returned in a stable order (eventTime, eventID, ruleId).
import { createLimiter, forEachBounded } from "../util/limit.ts";
import { type Logger, silentLogger } from "../util/logger.ts";
import { scanProgress } from "../util/progress.ts";
import { DetectionArray, type DetectionSink, MemoryCommitter } from "./commit.ts";
import { CorrelatingCommitter } from "./correlating-committer.ts";
import { type CorrelatorFactory, MemoryCorrelatorStore } from "./correlator.ts";
import type { Detection } from "./detection.ts";
import { DetectionSpill } from "./detection-spill.ts";
import type { Detector } from "./detector.ts";
import type { FileLimits } from "./judge.ts";
import { type ProcessContext, processLogFile } from "./processor.ts";
import { listLocalLogs, reportListingProblems } from "./sources/file.ts";
import { addSourceFiles, emptySummary, type ScanSummary, sourceSummary } from "./summary.ts";
import type { ScanWorkerPool } from "./workers/pool.ts";

export interface LocalScanOptions {
  paths: string[];
  detector: Detector;
  concurrency?: number;
  logger?: Logger;
  /** Detections carry the raw record (the configuration's output.includeEvent). */
  includeEvent?: boolean;
  /** Scan workers; without them files are judged on this thread. */
  pool?: ScanWorkerPool;
  limits?: FileLimits;
  /** Stop early (SIGINT): files not yet read are left out. */
  signal?: AbortSignal;
  /** Correlation rules, when any are loaded (state in memory, for this scan only). */
  correlator?: CorrelatorFactory;
}

export async function scanLocal(
  opts: LocalScanOptions,
): Promise<{ summary: ScanSummary; detections: Detection[] }> {
  const sink = new DetectionArray();
  const summary = await scanInto(opts, sink);
  return { summary, detections: sink.detections.sort(compareDetections) };
}

/**
 * The same scan with the detections kept in a temp file instead of memory (the CLI's report): the
 * caller reads them in the report's order and closes the spill.
 */
export async function scanLocalSpilled(
  opts: LocalScanOptions & { spillDir?: string },
): Promise<{ summary: ScanSummary; detections: DetectionSpill }> {
  const spill = new DetectionSpill(opts.spillDir);
  try {
    return { summary: await scanInto(opts, spill), detections: spill };
  } catch (err) {
    spill.close();
    throw err;
  }
}

async function scanInto(opts: LocalScanOptions, sink: DetectionSink): Promise<ScanSummary> {
  const summary = emptySummary();
  const memory = new MemoryCommitter(summary, sink);
  const committer = new CorrelatingCommitter(
    memory,
    opts.correlator?.(new MemoryCorrelatorStore()),
    summary,
    opts.logger,
  );
  const concurrency = opts.concurrency ?? 8;
  const limit = createLimiter(concurrency);
  const ctx: ProcessContext = {
    detector: opts.detector,
    committer,
    summary,
    logger: opts.logger ?? silentLogger,
    config: { output: { includeEvent: opts.includeEvent } },
    pool: opts.pool,
    limits: opts.limits,
    signal: opts.signal,
  };
  for (const path of opts.paths) {
    if (opts.signal?.aborted) break;
    const source = sourceSummary(`file://${path}`, "file");
    summary.sources.push(source);
    let listing: Awaited<ReturnType<typeof listLocalLogs>>;
    try {
      listing = await listLocalLogs(path);
    } catch (err) {
      summary.errors.push({ source: source.url, message: (err as Error).message });
      continue;
    }
    source.files.ignored += listing.ignored;
    scanProgress.plan("files", listing.files.length);
    reportListingProblems(listing, summary, source, ctx.logger);
    await forEachBounded(listing.files, 2 * concurrency, ({ ref }) =>
      limit(() => processLogFile(ctx, ref, source)),
    );
    addSourceFiles(summary, source);
  }
  // Every file is read: no record can still join a window.
  committer.finish();
  summary.finishedAt = new Date().toISOString();
  return summary;
}

function compareDetections(a: Detection, b: Detection): number {
  return cmp(a.eventTime, b.eventTime) || cmp(a.eventID, b.eventID) || cmp(a.ruleId, b.ruleId);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
