// `scan --backfill --since T [--rule ID...]` (with --config): the rules, or the selected ones, over
// the history of the configured s3:// and file:// sources. See src/logs/backfill.ts.
import type { Config } from "../config/types.ts";
import type { Detection } from "../logs/detection.ts";
import type { ScanSummary } from "../logs/summary.ts";
import type { ScanWorkerPool } from "../logs/workers/pool.ts";
import { correlatorFactory, type LoadedRules, selectCorrelations } from "../rules/index.ts";
import type { Logger } from "../util/logger.ts";
import { UsageError } from "./command.ts";

/**
 * The rule ids `--rule` selects (ids or names of base rules and correlations); undefined for all.
 * An unknown one is a usage error naming every unknown.
 */
export function selectRules(loaded: LoadedRules, wanted: readonly string[]): Set<string> | undefined {
  if (wanted.length === 0) return undefined;
  const ids = new Set<string>([
    ...loaded.ruleSet.rules.map((r) => r.id),
    ...loaded.correlations.correlations.map((c) => c.id),
  ]);
  const byName = new Map<string, string>(loaded.names ?? []);
  for (const c of loaded.correlations.correlations) if (c.name) byName.set(c.name, c.id);
  const selected = new Set<string>();
  const unknown: string[] = [];
  for (const w of wanted) {
    const id = ids.has(w) ? w : byName.get(w);
    if (id === undefined || !ids.has(id)) unknown.push(w);
    else selected.add(id);
  }
  if (unknown.length)
    throw new UsageError(
      `--rule ${unknown.join(", ")}: no loaded rule or correlation has this id or name (\`trailwarden rules list\` shows them)`,
    );
  return selected;
}

export async function backfill(opts: {
  config: Config;
  loaded: LoadedRules;
  since: Date;
  rules: readonly string[];
  logger: Logger;
  pool?: ScanWorkerPool;
  signal: AbortSignal;
  fresh?: Detection[];
}): Promise<ScanSummary> {
  const { config, loaded, logger } = opts;
  const selected = selectRules(loaded, opts.rules);
  // Loaded here, as the incremental scan: the AWS SDK only when a scan needs it.
  const { backfillRefusal, runBackfill } = await import("../logs/backfill.ts");
  const refused = config.logs.sources.map(backfillRefusal).filter((r): r is string => r !== undefined);
  if (refused.length === config.logs.sources.length)
    throw new UsageError(`--backfill: no source can be backfilled: ${refused.join("; ")}`);
  for (const r of refused) process.stderr.write(`trailwarden scan --backfill: skipped ${r}\n`);
  const { emittedRetentionMs } = await import("../logs/scan.ts");
  if (opts.since.getTime() < Date.now() - emittedRetentionMs(config))
    process.stderr.write(
      "trailwarden scan --backfill: --since reaches past the emitted-id retention (state.emittedRetentionDays): detections older than it may be emitted again\n",
    );
  const { AwsClients } = await import("../aws/clients.ts");
  const { detectionsLog, openStateStore } = await import("../logs/scan.ts");
  const store = openStateStore(config);
  const clients = config.logs.sources.some((s) => s.startsWith("s3://"))
    ? new AwsClients(config.aws)
    : undefined;
  try {
    const log = detectionsLog(config, store);
    log.drain();
    const correlations = selected ? selectCorrelations(loaded.correlations, selected) : loaded.correlations;
    return await runBackfill({
      config,
      detector: loaded.ruleSet,
      since: opts.since,
      rules: selected,
      correlator: correlatorFactory(correlations, config.logs.correlation),
      store,
      log,
      clients,
      logger,
      signal: opts.signal,
      pool: opts.pool,
      onDetection: opts.fresh ? (d) => void opts.fresh!.push(d) : undefined,
    });
  } finally {
    store.close();
    clients?.destroy();
  }
}
