// Wires the daemon's jobs to the real parts: the audit (runAudit + buildAuditReport) and the scan
// (rules compiled once at start-up, runScan over logs.sources). audit/, logs/, rules/ and report/
// never import each other; they meet here.
import { runAudit } from "../audit/run.ts";
import type { AwsClients } from "../aws/clients.ts";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { runScan } from "../logs/scan.ts";
import type { ScanWorkerPool } from "../logs/workers/pool.ts";
import { type AuditReport, auditExitCode, buildAuditReport } from "../report/audit-report.ts";
import { correlatorFactory, formatRuleProblem, formatRuleWarning, type LoadedRules } from "../rules/index.ts";
import { loadConfiguredRules } from "../rules/required.ts";
import type { StateStore } from "../state/store.ts";
import type { Logger } from "../util/logger.ts";
import { version } from "../version.ts";
import type { JobBackends } from "./daemon.ts";
import { startScanWorkers } from "./scan-workers.ts";
import type { JobName } from "./types.ts";

export interface BackendOptions {
  config: Config;
  clients: AwsClients;
  logger: Logger;
  /** Audit this saved inventory snapshot instead of calling AWS. */
  inventoryFile?: string;
  /** The daemon's open state store. */
  store?: StateStore;
}

export interface Backends extends JobBackends {
  rules: { loaded: number; problems: string[]; notes?: string[] };
}

/**
 * Compile the rules at start-up; a bad rule file is logged and skipped (the others still run), and
 * no rule at all is a config error (the daemon does not start). `reloadRules` (SIGHUP) swaps in a
 * new rule set; a scan takes the rule set once when it starts, so every file of a run is judged by
 * exactly one rule set, and a reload takes effect at the next run.
 */
export async function createBackends(o: BackendOptions): Promise<Backends> {
  const loaded = await loadConfiguredRules(o.config);
  const problems = loaded.problems.map(formatRuleProblem);
  for (const problem of problems) o.logger.warn("rule skipped", { problem });
  for (const note of loaded.notes) o.logger.info("rule not loaded", { note: formatRuleProblem(note) });
  for (const w of loaded.warnings) o.logger.info("rule warning", { warning: formatRuleWarning(w) });
  o.logger.info("rules loaded", { rules: loaded.ruleSet.rules.length, files: loaded.files.length });
  const notesOf = (r: LoadedRules) => (r.notes.length ? { notes: r.notes.map(formatRuleProblem) } : {});
  let rules: Backends["rules"] = { loaded: loaded.ruleSet.rules.length, problems, ...notesOf(loaded) };
  let ruleSet = loaded.ruleSet;
  let correlations = loaded.correlations;
  // Workers live as long as the daemon (idle ones do not keep it alive) and hold these same rules;
  // a reload starts new ones and retires the old ones before the next run.
  const startPool = (config: Config, r: LoadedRules) =>
    startScanWorkers(
      o.config.logs.workers,
      {
        paths: config.rules,
        placeholders: config.placeholders,
        selection: config.ruleSelection,
        sources: r.sources,
      },
      r.ruleSet.rules,
    );
  let pool = await startPool(o.config, loaded);
  const retired: ScanWorkerPool[] = [];
  /** What the audit and the scan are both given. */
  const common = (job: JobName, signal: AbortSignal) => ({
    config: o.config,
    clients: o.clients,
    logger: o.logger.child({ job }),
    signal,
  });
  return {
    get rules() {
      return rules;
    },
    async audit(signal) {
      return buildAuditReport(await runAudit({ ...common("audit", signal), inventoryFile: o.inventoryFile }));
    },
    auditExitCode: (report) => auditExitCode(report as AuditReport),
    async reloadRules() {
      const { loaded: next, config } = await reloadedRules(o.config, o.logger);
      for (const note of next.notes) o.logger.info("rule not loaded", { note: formatRuleProblem(note) });
      for (const w of next.warnings) o.logger.info("rule warning", { warning: formatRuleWarning(w) });
      const nextPool = await startPool(config, next);
      if (pool) retired.push(pool);
      pool = nextPool;
      ruleSet = next.ruleSet;
      correlations = next.correlations;
      rules = { loaded: next.ruleSet.rules.length, problems: [], ...notesOf(next) };
      return { rules: rules.loaded, files: next.files.length };
    },
    async scan(signal, onDetection) {
      // One rule set for the whole run: a reload during it applies from the next run.
      const runRules = rules;
      const detector = ruleSet;
      const runPool = pool;
      const runCorrelations = correlations;
      // No run uses a retired pool any more (runs never overlap): its threads can go.
      await Promise.all(retired.splice(0).map((p) => p.close()));
      const summary = await runScan({
        ...common("scan", signal),
        detector,
        // Each tick drains what is queued and ends, so ticks never pile up behind an endless poll.
        drain: true,
        onDetection,
        store: o.store,
        pool: runPool,
        correlator: correlatorFactory(runCorrelations, o.config.logs.correlation),
      });
      return { schemaVersion: 1, tool: { name: "trailwarden", version }, rules: runRules, summary };
    },
  };
}

/** Settings a reload applies; every other change waits for a restart (and is logged as such). */
const RELOADABLE = new Set(["rules", "ruleSelection", "placeholders", "file"]);

/**
 * The rules a reload would switch to: the config file is read and checked again (rules and
 * placeholders come from it), and every rule must load. Any problem throws, and the caller keeps
 * the rules in use: a reload never quietly drops a rule that was judging records.
 */
async function reloadedRules(
  current: Config,
  logger: Logger,
): Promise<{ loaded: LoadedRules; config: Config }> {
  const config = current.file ? loadConfigFile(current.file) : current;
  const loaded = await loadConfiguredRules(config);
  if (loaded.problems.length)
    throw new Error(
      `${loaded.problems.length} rule problems (first: ${formatRuleProblem(loaded.problems[0])}); fix them and send SIGHUP again`,
    );
  const later = (Object.keys(config) as (keyof Config)[]).filter(
    (k) => !RELOADABLE.has(k) && JSON.stringify(config[k]) !== JSON.stringify(current[k]),
  );
  if (later.length) logger.warn("config changes that take effect at the next restart", { keys: later });
  return { loaded, config };
}
