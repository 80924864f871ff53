// Builds a ready-to-run daemon from a config: checks, logger, metrics, AWS clients (observed for
// metrics), notification sinks and their deliveries, the jobs' backends, and the state.dir lock.
import cron from "node-cron";
import { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { openStateStore } from "../logs/scan.ts";
import { StateLockedError, type StateStore, sinkConsumer } from "../state/store.ts";
import { createLogger, type Logger } from "../util/logger.ts";
import { createBackends } from "./backends.ts";
import { assertDaemonConfig } from "./config-check.ts";
import { Daemon } from "./daemon.ts";
import { DaemonMetrics } from "./daemon-metrics.ts";
import { Delivery } from "./notify/delivery.ts";
import { type Sink, SinkConfigError, snsSink, webhookSink } from "./notify/sinks.ts";

/** The daemon cannot start as configured (the message says why); the CLI exits 2. */
export class DaemonSetupError extends Error {
  override name = "DaemonSetupError";
}

export interface DaemonParts {
  config: Config;
  daemon: Daemon;
  clients: AwsClients;
  logger: Logger;
  /** The state store, open for the daemon's life: its lock keeps one process per state.dir. */
  store: StateStore;
}

function openStore(config: Config): StateStore {
  try {
    return openStateStore(config);
  } catch (err) {
    if (err instanceof StateLockedError) throw new DaemonSetupError(err.message);
    throw err;
  }
}

/** Everything a daemon needs, built from a config; shared with `trailwarden demo`. */
export async function assembleDaemon(
  config: Config,
  inventoryFile?: string,
  logger?: Logger,
): Promise<DaemonParts> {
  assertDaemonConfig(config);
  const log = logger ?? createLogger({ level: config.logLevel, base: { command: "daemon" } });
  cron.setLogger({
    info: (m) => log.debug(String(m), { component: "node-cron" }),
    warn: (m) => log.warn(String(m), { component: "node-cron" }),
    error: (m, err) => log.error(String(m), { component: "node-cron", error: err?.message }),
    debug: (m) => log.debug(String(m), { component: "node-cron" }),
  });
  const store = openStore(config);
  const metrics = new DaemonMetrics();
  const clients = new AwsClients(config.aws, undefined, metrics);
  try {
    const deliveries = createDeliveries(config, store, clients, metrics, log);
    const backends = await createBackends({ config, clients, logger: log, inventoryFile, store });
    const daemon = new Daemon({ config, backends, logger: log, metrics, deliveries, store });
    metrics.rulesLoaded.set({}, backends.rules.loaded);
    return { config, daemon, clients, logger: log, store };
  } catch (err) {
    clients.destroy();
    store.close();
    throw err;
  }
}

function createDeliveries(
  config: Config,
  store: StateStore,
  clients: AwsClients,
  metrics: DaemonMetrics,
  log: Logger,
): Delivery[] {
  const sinks: Sink[] = [];
  try {
    if (config.notify.webhook) sinks.push(webhookSink(config.notify.webhook));
  } catch (err) {
    if (err instanceof SinkConfigError) throw new DaemonSetupError(err.message);
    throw err;
  }
  if (config.notify.sns) sinks.push(snsSink(clients, config.notify.sns.topicArn));
  return sinks.map(
    (sink) =>
      new Delivery({
        sink,
        store,
        consumer: sinkConsumer(sink.name),
        minLevel: config.notify.minLevel,
        batch:
          sink.name === "webhook" && config.notify.webhook
            ? {
                size: config.notify.webhook.batchSize ?? 1,
                delayMs: (config.notify.webhook.batchDelaySeconds ?? 0) * 1000,
              }
            : undefined,
        logger: log,
        onDelivered: (s) => metrics.notifications.inc({ sink: s }),
        onFailed: (s) => metrics.notificationFailures.inc({ sink: s }),
        onBacklog: (s, count) => metrics.notificationBacklog.set({ sink: s }, count),
      }),
  );
}
