// `scan --backfill --since T [--rule ID...]`: run rules (new or changed ones, or all) over the history
// of the configured s3:// and file:// sources, from T to now, and emit only detections whose id is not
// already in the store's `emitted` table (within its retention). The incremental scan's cursors and
// file marks are neither read nor moved, and the quarantine is left alone: a backfill is a separate
// pass that a later incremental run does not notice, except for the ids it emitted.
// Correlations run over the backfill's records only, with state in memory (the live windows in the
// store are untouched), and every window is decided at the end. See docs/rules.md, "Backfill".
import type { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import type { StateStore } from "../state/store.ts";
import { createLimiter, forEachBounded } from "../util/limit.ts";
import { type Logger, silentLogger } from "../util/logger.ts";
import { scanProgress } from "../util/progress.ts";
import { type FileBatch, type FileCommitter, StateCommitter } from "./commit.ts";
import { CorrelatingCommitter } from "./correlating-committer.ts";
import { type CorrelatorFactory, MemoryCorrelatorStore } from "./correlator.ts";
import type { Detection } from "./detection.ts";
import type { DetectionsLog } from "./detections-log.ts";
import type { Detector } from "./detector.ts";
import { fileLimits } from "./judge.ts";
import { type ProcessContext, processLogFile } from "./processor.ts";
import { parseLogKey, startAfterFor } from "./s3-layout.ts";
import { listLocalLogs, reportListingProblems } from "./sources/file.ts";
import { S3Source, s3Ref } from "./sources/s3.ts";
import { addError, addSourceFiles, emptySummary, type ScanSummary, sourceSummary } from "./summary.ts";
import type { ScanWorkerPool } from "./workers/pool.ts";

export interface BackfillOptions {
  config: Config;
  detector: Detector;
  /** Records with an earlier eventTime are left out; S3 folders are listed from this time's key. */
  since: Date;
  /** Rule ids whose detections are emitted (base rules and correlations); all when undefined. */
  rules?: ReadonlySet<string>;
  /** Correlations to run (already restricted to the selection), state in memory. */
  correlator?: CorrelatorFactory;
  store: StateStore;
  /** detections.jsonl over the store's outbox. */
  log: DetectionsLog;
  clients?: AwsClients;
  logger?: Logger;
  signal?: AbortSignal;
  pool?: ScanWorkerPool;
  now?: Date;
  onDetection?: (d: Detection) => void | Promise<void>;
}

/** Why a source cannot be backfilled, or undefined when it can. */
export function backfillRefusal(url: string): string | undefined {
  if (url.startsWith("sqs://"))
    return `${url}: an SQS queue holds only notifications of new log files, not the history; it cannot be backfilled (add the bucket as an s3:// source, or copy the files to a file:// folder)`;
  if (url.startsWith("s3://") || url.startsWith("file://")) return undefined;
  return `${url}: unsupported log source (use s3:// or file://)`;
}

export async function runBackfill(opts: BackfillOptions): Promise<ScanSummary> {
  const { config, since } = opts;
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? new Date();
  const summary = emptySummary(now);
  const since0 = since.getTime();
  // Files are written under a key of their own, so no mark of the incremental scan is set or read.
  const marks = new BackfillMarks(opts.store);
  const correlator = opts.correlator?.(new MemoryCorrelatorStore());
  const correlating = new CorrelatingCommitter(
    new RenamingCommitter(new StateCommitter(opts.store, opts.log, summary), marks),
    correlator,
    summary,
    logger,
    config.logs.correlation.maxGroups,
  );
  const committer = new SelectingCommitter(correlating, since0, opts.rules, correlator !== undefined);
  const ctx: ProcessContext = {
    detector: opts.detector,
    committer,
    summary,
    logger,
    signal: opts.signal,
    pool: opts.pool,
    limits: fileLimits(config),
    config,
    onDetection: opts.onDetection,
  };
  const limit = createLimiter(config.logs.concurrency);
  for (const url of config.logs.sources) {
    if (opts.signal?.aborted) break;
    const refusal = backfillRefusal(url);
    if (refusal) {
      logger.warn("source not backfilled", { source: url, reason: refusal });
      continue;
    }
    const source = sourceSummary(url, url.startsWith("s3://") ? "s3" : "file");
    summary.sources.push(source);
    try {
      if (url.startsWith("file://")) {
        const listing = await listLocalLogs(url.slice("file://".length));
        source.files.ignored += listing.ignored;
        reportListingProblems(listing, summary, source, logger);
        scanProgress.plan("files", listing.files.length);
        await forEachBounded(listing.files, 2 * config.logs.concurrency, ({ ref }) =>
          limit(() => processLogFile(ctx, ref, source)),
        );
      } else {
        if (!opts.clients) throw new Error("s3 source needs AWS clients");
        const { s3, list, folders, bucket } = await new S3Source(url).listing(
          { ...ctx, config, state: opts.store, limit, clients: opts.clients, now, drain: true },
          source,
        );
        for (const folder of folders) {
          if (opts.signal?.aborted) break;
          let token: string | undefined;
          do {
            const page = await list({
              Prefix: folder,
              StartAfter: token ? undefined : startAfterFor(folder, since),
              ContinuationToken: token,
            });
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
            const keys = (page.Contents ?? [])
              .map((o) => o.Key ?? "")
              .filter((k) => {
                const parsed = parseLogKey(k);
                if (parsed?.kind === "CloudTrail") return true;
                source.files.ignored++;
                return false;
              });
            await forEachBounded(keys, 2 * config.logs.concurrency, (key) =>
              limit(() => processLogFile(ctx, s3Ref(s3, bucket, key), source)),
            );
          } while (token && !opts.signal?.aborted);
        }
      }
    } catch (err) {
      const message = `${(err as Error).name}: ${(err as Error).message}`;
      addError(summary, url, message);
      logger.error("log source failed", { source: url, error: message });
    }
    addSourceFiles(summary, source);
  }
  // Every file of the period is read (or the scan was interrupted): decide every window.
  if (!opts.signal?.aborted) correlating.finish();
  marks.forget();
  summary.finishedAt = new Date().toISOString();
  return summary;
}

/** The pseudo keys a backfill commits its files under, forgotten at the end. */
class BackfillMarks {
  private readonly keys: string[] = [];
  private readonly run = `backfill:${Date.now().toString(36)}:`;

  constructor(private readonly store: StateStore) {}

  key(fileKey: string): string {
    const k = `${this.run}${fileKey}`;
    this.keys.push(k);
    return k;
  }

  forget(): void {
    for (const k of this.keys) this.store.forgetFile(k);
  }
}

/** Commits a file's detections (those not emitted before) to the outbox under a backfill key. */
class RenamingCommitter implements FileCommitter {
  constructor(
    private readonly inner: FileCommitter,
    private readonly marks: BackfillMarks,
  ) {}

  begin(file: { key: string }): FileBatch {
    return this.inner.begin({ key: this.marks.key(file.key) });
  }
}

/**
 * Keeps only records from `since` on and, with a selection, the selected rules' detections (a base
 * rule outside the selection still feeds the selected correlations, without emitting).
 */
class SelectingCommitter implements FileCommitter {
  constructor(
    private readonly inner: FileCommitter,
    private readonly since: number,
    private readonly rules: ReadonlySet<string> | undefined,
    private readonly correlating: boolean,
  ) {}

  begin(file: { key: string; scope?: string; sig?: string; logFile?: string }): FileBatch {
    const batch = this.inner.begin(file);
    return {
      add: (d) => {
        const t = Date.parse(d.eventTime);
        if (!(t >= this.since)) return;
        // A rule its correlations keep quiet (docs/rules.md, generate) stays quiet in a backfill too.
        if (d.correlationInput && !d.correlationInput.emit && !this.correlating) return;
        if (this.rules && !this.rules.has(d.ruleId)) {
          if (!d.correlationInput) return;
          d.correlationInput = { ...d.correlationInput, emit: false };
        }
        batch.add(d);
      },
      abort: () => batch.abort(),
      commit: (bad) => batch.commit(bad),
    };
  }
}
