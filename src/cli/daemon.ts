// `trailwarden daemon`: the resident service (schedules, /healthz, /metrics, signals), or with
// --once a single audit + scan cycle whose exit status is the audit's.
import { existsSync } from "node:fs";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { assembleDaemon, type DaemonParts, DaemonSetupError } from "../daemon/assemble.ts";
import type { OnceResult } from "../daemon/daemon.ts";
import { type Command, CommandError, parseFlags, requireConfig } from "./command.ts";

/** A daemon from a config; a set-up problem (a missing header variable, a held state dir) exits 2. */
export async function buildDaemon(config: Config, inventoryFile?: string): Promise<DaemonParts> {
  try {
    return await assembleDaemon(config, inventoryFile);
  } catch (err) {
    if (err instanceof DaemonSetupError) throw new CommandError(err.message);
    throw err;
  }
}

const usage = `usage: trailwarden daemon --config FILE [--once] [--inventory FILE]

Runs the audit and the scan on the schedules in the config (schedule.audit, schedule.scan), writes
reports to output.dir, sends detections to the notification sinks, and serves /healthz and
/metrics on http.address (default 127.0.0.1:9464). SIGTERM or SIGINT stops it: a run in progress
gets shutdownGraceSeconds to finish, then its AWS calls are aborted; a second signal exits at once.

  --config FILE     configuration (YAML); validated before anything runs
  --once            run the audit and the scan once, deliver notifications, and exit
  --inventory FILE  audit this saved inventory snapshot instead of calling AWS

SIGHUP reloads the rules (the config's rules and placeholders) without a restart; a reload that
fails keeps the rules in use and shows in the log, /metrics and /healthz. SIGUSR2 is ignored.

exit status: daemon: 0 after a clean stop, 2 bad config or usage (or no rule loaded).
  --once: 3 when a job could not complete (a failed or aborted run, an unreadable source or file),
  whatever the findings; else the audit's: 0 every finding PASS, 1 some FAIL, 3 some ERROR and no
  FAIL; 2 bad config or usage (or no rule loaded)`;

/** Run one cycle; SIGTERM/SIGINT during it aborts like the daemon's shutdown does. */
export async function runOnceWithSignals(parts: DaemonParts): Promise<OnceResult> {
  ignoreUserSignal(parts);
  const onSignal = () => {
    void parts.daemon.shutdown();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    return await parts.daemon.runOnce();
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    parts.clients.destroy();
    parts.store.close();
  }
}

const SIGNAL_NUMBER: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

/** SIGUSR2's default action ends the process; a daemon is not stopped by it (logged and ignored). */
function ignoreUserSignal(parts: DaemonParts): void {
  process.on("SIGUSR2", () => parts.logger.info("SIGUSR2 received; ignored (SIGHUP reloads the rules)"));
}

async function serve(parts: DaemonParts): Promise<number> {
  const { config, daemon, logger } = parts;
  ignoreUserSignal(parts);
  // SIGHUP reloads the rules (Falco's convention); the state and the schedules stay as they are.
  process.on("SIGHUP", () => {
    logger.info("SIGHUP received; reloading the rules");
    void daemon.reloadRules();
  });
  if (config.http.enabled) {
    const addr = await daemon.listen();
    logger.info("status listener ready", {
      address: `${addr.host}:${addr.port}`,
      paths: ["/healthz", "/metrics"],
    });
  }
  daemon.start();
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info("signal received; stopping", { signal });
  // A second signal means "now": the files are consistent at any await point, so exiting is safe.
  const again = (s: string) => () => {
    logger.warn("second signal; exiting at once", { signal: s });
    process.exit(128 + (SIGNAL_NUMBER[s] ?? 15));
  };
  process.once("SIGTERM", again("SIGTERM"));
  process.once("SIGINT", again("SIGINT"));
  await daemon.shutdown();
  parts.clients.destroy();
  parts.store.close();
  // Idle keep-alive sockets or timers must not keep a stopped daemon alive.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

export const daemonCommand: Command = {
  name: "daemon",
  summary: "run audits and scans on a schedule, with /healthz, /metrics and notifications",
  usage,
  async run(argv) {
    const values = parseFlags(argv, {
      config: { type: "string" },
      once: { type: "boolean", default: false },
      inventory: { type: "string" },
    });
    const config = loadConfigFile(requireConfig(values.config));
    if (values.inventory && !existsSync(values.inventory))
      throw new CommandError(`--inventory ${values.inventory}: no such file`);
    const parts = await buildDaemon(config, values.inventory);
    if (!values.once) return serve(parts);
    return (await runOnceWithSignals(parts)).code;
  },
};
