// runScan: one incremental pass over every configured log source. Progress lives in the state
// store (config.state.dir): each file is committed in one transaction with its new detections,
// which detections.jsonl then takes from the store's outbox; ids already emitted are never
// written again. A full disk or an I/O error stops the whole run with a StorageFault.
import { join } from "node:path";
import { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { DETECTIONS_CONSUMER, StateStore, sinkConsumer } from "../state/store.ts";
import { StorageFault } from "../util/fs.ts";
import { createLimiter } from "../util/limit.ts";
import { type Logger, silentLogger } from "../util/logger.ts";
import { CommitGroup, StateCommitter } from "./commit.ts";
import { CorrelatingCommitter } from "./correlating-committer.ts";
import type { CorrelatorFactory } from "./correlator.ts";
import type { Detection } from "./detection.ts";
import { DetectionsLog } from "./detections-log.ts";
import type { Detector } from "./detector.ts";
import { fileLimits } from "./judge.ts";
import { quarantineFile } from "./quarantine.ts";
import { FileSource } from "./sources/file.ts";
import { S3Source } from "./sources/s3.ts";
import { streamIntegrity } from "./sources/s3-integrity.ts";
import type { LogSource, SourceRunContext } from "./sources/source.ts";
import { SqsSource } from "./sources/sqs.ts";
import { addError, addSourceFiles, emptySummary, type ScanSummary } from "./summary.ts";
import { BufferedKeyValueStore } from "./tracker-state.ts";
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
  /** The daemon's open store; without it the scan opens (and closes) config.state.dir. */
  store?: StateStore;
  /** Scan workers (logs.workers), owned by the caller; without them files are judged on this thread. */
  pool?: ScanWorkerPool;
  /** Correlation rules, when any are loaded: their state lives in the store, written with each file. */
  correlator?: CorrelatorFactory;
}

export const DETECTIONS_FILE = "detections.jsonl";

/** Ids of emitted detections are kept state.emittedRetentionDays, and at least twice the look-back. */
export function emittedRetentionMs(config: Config): number {
  return Math.max(2 * config.logs.lookbackHours * 3_600_000, config.state.emittedRetentionDays * 86_400_000);
}

/** Outbox consumers besides detections.jsonl: the configured sinks. */
export function sinkConsumers(config: Config): string[] {
  const names: string[] = [];
  if (config.notify.webhook) names.push(sinkConsumer("webhook"));
  if (config.notify.sns) names.push(sinkConsumer("sns"));
  return names;
}

/** Open the state store of a config, importing a 0.1 state folder once. */
export function openStateStore(config: Config): StateStore {
  return StateStore.open(config.state.dir, {
    legacy: { detectionsFile: join(config.output.dir, DETECTIONS_FILE) },
  });
}

export function detectionsLog(config: Config, store: StateStore): DetectionsLog {
  return new DetectionsLog(join(config.output.dir, DETECTIONS_FILE), store, {
    maxBytes: config.output.rotateBytes,
    daily: config.output.rotateDaily,
  });
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
  const state = opts.store ?? openStateStore(config);
  const ownClients = !opts.clients && needsAws(config) ? new AwsClients(config.aws) : undefined;
  // A storage fault anywhere stops every source, not just the one that hit it.
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) controller.abort();
  let fault: unknown;
  let group: CommitGroup | undefined;
  try {
    const log = detectionsLog(config, state);
    // Detections committed before a crash or a full disk, not yet in detections.jsonl.
    log.drain();
    const sources = config.logs.sources.map(sourceFor);
    const clients = opts.clients ?? ownClients;
    // Log integrity keeps its chain positions in the store, written with each file's commit.
    const judges = new BufferedKeyValueStore(state);
    const integrity = clients
      ? streamIntegrity(config, clients, judges, {
          priorScanState: state.hasFiles(),
          signal: controller.signal,
        })
      : undefined;
    group = new CommitGroup(state, log);
    const ctx: SourceRunContext = {
      config,
      state,
      detector: opts.detector,
      durable: () => group!.settled(),
      committer: new CorrelatingCommitter(
        new StateCommitter(state, log, summary, judges, group),
        opts.correlator?.({
          get: (ns, key) => judges.get(ns, key),
          put: (ns, key, value) => judges.put(ns, key, value),
          entries: (ns) => state.kvEntries(ns),
        }),
        summary,
        logger,
        config.logs.correlation.maxGroups,
      ),
      integrity,
      summary,
      logger,
      signal: controller.signal,
      onDetection: opts.onDetection,
      pool: opts.pool,
      limits: fileLimits(config),
      limit: createLimiter(config.logs.concurrency),
      clients,
      now,
      since: opts.since,
      drain: opts.drain ?? true,
    };
    ctx.onUnreadable = (ref, failure, source) => quarantineFile(ctx, ref, failure, source, now.getTime());
    for (const source of sources) {
      if (controller.signal.aborted) break;
      try {
        summary.sources.push(await source.run(ctx));
      } catch (err) {
        if (err instanceof StorageFault) {
          fault = err;
          controller.abort(err);
          break;
        }
        const message = `${(err as Error).name}: ${(err as Error).message}`;
        addError(summary, source.url, message);
        logger.error("log source failed", { source: source.url, error: message });
      }
    }
    if (fault) throw fault;
    // Every file waited for its group; this only makes sure no write is left in an open group.
    group.commit();
    for (const s of summary.sources) addSourceFiles(summary, s);
    const at = now.getTime();
    for (const s of sources) s.prune?.(state, at, emittedRetentionMs(config));
    // Marks no source claims (an imported 0.1 mark, a source since removed) age out.
    state.forgetFilesBefore(at - emittedRetentionMs(config), null);
    state.prune({
      emittedBefore: at - emittedRetentionMs(config),
      consumers: [DETECTIONS_CONSUMER, ...sinkConsumers(config)],
    });
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    // A run that stopped midway (storage fault, error) leaves no group open in a shared store.
    if (state.inGroup) group?.abandon();
    if (!opts.store) state.close();
    ownClients?.destroy();
  }
  summary.finishedAt = new Date().toISOString();
  return summary;
}
function needsAws(config: Config): boolean {
  return config.logs.sources.some((s) => s.startsWith("s3://") || s.startsWith("sqs://"));
}
