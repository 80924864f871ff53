// Wires the daemon's jobs to the real parts: the audit (runAudit + buildAuditReport) and the scan
// (rules compiled once at start-up, runScan over logs.sources). audit/, logs/, rules/ and report/
// never import each other; they meet here.
import { runAudit } from "../audit/run.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { runScan } from "../logs/scan.ts";
import { type AuditReport, auditExitCode, buildAuditReport } from "../report/audit-report.ts";
import { correlatorFactory, formatRuleProblem, loadRules } from "../rules/index.ts";
import type { StateStore } from "../state/store.ts";
import type { Logger } from "../util/logger.ts";
import { version } from "../version.ts";
import type { JobBackends } from "./daemon.ts";
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
  rules: { loaded: number; problems: string[] };
}

/**
 * Compile the rules once; a bad rule file is logged and skipped (the others still run). Rule
 * changes are picked up at the next start.
 */
export async function createBackends(o: BackendOptions): Promise<Backends> {
  const loaded = await loadRules(o.config.rules, { placeholders: o.config.placeholders });
  const problems = loaded.problems.map(formatRuleProblem);
  for (const problem of problems) o.logger.warn("rule skipped", { problem });
  o.logger.info("rules loaded", { rules: loaded.ruleSet.rules.length, files: loaded.files.length });
  const rules = { loaded: loaded.ruleSet.rules.length, problems };
  /** What the audit and the scan are both given. */
  const common = (job: JobName, signal: AbortSignal) => ({
    config: o.config,
    clients: o.clients,
    logger: o.logger.child({ job }),
    signal,
  });
  return {
    rules,
    async audit(signal) {
      return buildAuditReport(await runAudit({ ...common("audit", signal), inventoryFile: o.inventoryFile }));
    },
    auditExitCode: (report) => auditExitCode(report as AuditReport),
    async scan(signal, onDetection) {
      const summary = await runScan({
        ...common("scan", signal),
        detector: loaded.ruleSet,
        // Each tick drains what is queued and ends, so ticks never pile up behind an endless poll.
        drain: true,
        onDetection,
        store: o.store,
        correlator: correlatorFactory(loaded.correlations, o.config.logs.correlation),
      });
      return { schemaVersion: 1, tool: { name: "trailwarden", version }, rules, summary };
    },
  };
}
