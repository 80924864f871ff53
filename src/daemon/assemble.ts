// Builds a ready-to-run daemon from a config: checks, logger, metrics, AWS clients (observed for
// metrics), notification sinks and their deliveries, the jobs' backends, and the state.dir lock.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import cron from "node-cron";
import { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { DETECTIONS_FILE } from "../logs/scan.ts";
import { acquireLock, type Lock, StateLockedError } from "../state/lock.ts";
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
  /** One daemon per state.dir: two would write the same reports and cursors. */
  lock: Lock;
}

function lockStateDir(config: Config): Lock {
  mkdirSync(config.state.dir, { recursive: true });
  try {
    return acquireLock(join(config.state.dir, "daemon.lock"));
  } catch (err) {
    if (err instanceof StateLockedError)
      throw new DaemonSetupError(`another daemon runs on ${config.state.dir}: ${err.message}`);
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
  const lock = lockStateDir(config);
  const metrics = new DaemonMetrics();
  const clients = new AwsClients(config.aws, undefined, metrics);
  try {
    const deliveries = createDeliveries(config, clients, metrics, log);
    const backends = await createBackends({ config, clients, logger: log, inventoryFile });
    const daemon = new Daemon({ config, backends, logger: log, metrics, deliveries });
    metrics.rulesLoaded.set({}, backends.rules.loaded);
    return { config, daemon, clients, logger: log, lock };
  } catch (err) {
    clients.destroy();
    lock.release();
    throw err;
  }
}

function createDeliveries(
  config: Config,
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
        detectionsFile: join(config.output.dir, DETECTIONS_FILE),
        stateDir: config.state.dir,
        minLevel: config.notify.minLevel,
        logger: log,
        onDelivered: (s) => metrics.notifications.inc({ sink: s }),
        onFailed: (s) => metrics.notificationFailures.inc({ sink: s }),
        onBacklog: (s, bytes) => metrics.notificationBacklog.set({ sink: s }, bytes),
      }),
  );
}
