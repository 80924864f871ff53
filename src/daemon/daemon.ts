// The daemon: two scheduled jobs (audit, scan), their report files, notification delivery, the
// status listener and an orderly shutdown. The audit and the scan themselves come in as JobBackends
// (wired to the real parts in backends.ts), so this file is only about running them well.
import type { Config } from "../config/types.ts";
import type { StateStore } from "../state/store.ts";
import type { Logger } from "../util/logger.ts";
import type { DaemonMetrics } from "./daemon-metrics.ts";
import { assessHealth, evaluationErrorsReason, type Health, quarantineReason } from "./health.ts";
import { StatusServer } from "./http.ts";
import { Job, type RunRecord } from "./job.ts";
import type { Delivery } from "./notify/delivery.ts";
import { readPreviousAudit, writeAuditHtml, writeAuditOutputs, writeScanOutputs } from "./outputs.ts";
import { PROGRESS_LOG_MS, withProgressLog } from "./progress-log.ts";
import { applyRetention } from "./retention.ts";
import { loadRunHistory, saveRunHistory } from "./run-history.ts";
import { longestIntervalMs, Scheduler } from "./scheduler.ts";
import type { AuditReportView, DetectionView, JobName, ScanReportView, ScanSummaryView } from "./types.ts";
import { auditRunFailure, scanRunFailure } from "./verdicts.ts";

export interface JobBackends {
  /** One audit, as a finished report. */
  audit(signal: AbortSignal): Promise<AuditReportView>;
  /** The audit's exit code (0 all PASS, 1 any FAIL, 3 any ERROR and no FAIL). */
  auditExitCode(report: AuditReportView): number;
  /** One scan; it appends detections.jsonl itself and reports each detection once written. */
  scan(signal: AbortSignal, onDetection: (d: DetectionView) => void): Promise<ScanReportView>;
  /** Load the rules again (SIGHUP); throws, keeping the rules in use, when they cannot all load. */
  reloadRules?(): Promise<{ rules: number; files: number }>;
}

export interface DaemonOptions {
  config: Config;
  backends: JobBackends;
  logger: Logger;
  metrics: DaemonMetrics;
  deliveries?: Delivery[];
  /** The state store (run history lives there); without it, runs are not remembered. */
  store?: StateStore;
  now?: () => Date;
  /** How often a running job logs its progress (default PROGRESS_LOG_MS). */
  progressLogMs?: number;
}

export interface OnceResult {
  /** 3 when a job could not complete (whatever the findings), else the audit's exit code. */
  code: number;
  audit?: RunRecord;
  scan?: RunRecord;
}

/** After the grace period and the abort, how long aborted runs get to unwind before we go on. */
const ABORT_UNWIND_MS = 5000;

export class Daemon {
  readonly jobs: Record<JobName, Job>;
  readonly startedAt: Date;
  private scheduler?: Scheduler;
  private server?: StatusServer;
  private readonly intervals: Record<JobName, number>;
  private readonly now: () => Date;
  /** The last audit report and scan summary this process wrote. */
  lastAuditReport?: AuditReportView;
  lastScanSummary?: ScanSummaryView;
  /** Files in the store's quarantine after the last scan (the summary lists this run's). */
  private quarantinedFiles = 0;
  private stopping = false;
  /** Why the last rule reload failed (the previous rules stay in use); cleared by a good reload. */
  private reloadFailure?: string;
  private reloading: Promise<boolean> = Promise.resolve(true);

  constructor(private readonly o: DaemonOptions) {
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now();
    const { schedule } = o.config;
    this.intervals = {
      audit: longestIntervalMs(schedule.audit, schedule.timezone),
      scan: longestIntervalMs(schedule.scan, schedule.timezone),
    };
    const hooks = {
      logger: o.logger,
      now: this.now,
      onFinished: (run: RunRecord) => this.finished(run),
      onSkipped: (job: JobName) => o.metrics.skippedTicks.inc({ job }),
    };
    this.jobs = {
      audit: new Job("audit", (signal) => this.withProgress("audit", () => this.auditRun(signal)), hooks),
      scan: new Job("scan", (signal) => this.withProgress("scan", () => this.scanRun(signal)), hooks),
    };
    this.restoreRuns();
  }

  get outputDir(): string {
    return this.o.config.output.dir;
  }

  health(): Health {
    return assessHealth(
      (["audit", "scan"] as const).map((name) => ({
        name,
        lastRun: this.jobs[name].lastRun,
        lastSuccess: this.jobs[name].lastSuccess,
        intervalMs: this.intervals[name],
        running: this.jobs[name].running,
      })),
      this.now(),
      this.startedAt,
      [
        evaluationErrorsReason(this.lastScanSummary?.evaluationErrors),
        quarantineReason(this.lastScanSummary?.quarantine, this.quarantinedFiles),
        this.reloadFailure,
      ].filter((r): r is string => r !== undefined),
    );
  }

  /**
   * Load the rules (and the config's rules/placeholders) again without a restart, as SIGHUP asks.
   * Runs one at a time; a scan in progress keeps the rule set it started with. A failure keeps the
   * rules in use and shows in the log, /metrics and /healthz. Resolves with whether it worked.
   */
  reloadRules(): Promise<boolean> {
    this.reloading = this.reloading.then(() => this.reloadOnce());
    return this.reloading;
  }

  private async reloadOnce(): Promise<boolean> {
    const reload = this.o.backends.reloadRules;
    if (!reload) return false;
    const { metrics, logger } = this.o;
    try {
      const r = await reload.call(this.o.backends);
      this.reloadFailure = undefined;
      metrics.ruleReloads.inc({ outcome: "success" });
      metrics.ruleReloadFailing.set({}, 0);
      metrics.rulesLoaded.set({}, r.rules);
      logger.info("rules reloaded; the next scan uses them", r);
      return true;
    } catch (err) {
      const message = (err as Error).message;
      this.reloadFailure = `rule reload failed at ${this.now().toISOString()}, the previous rules stay in use: ${message}`;
      metrics.ruleReloads.inc({ outcome: "failure" });
      metrics.ruleReloadFailing.set({}, 1);
      logger.error("rule reload failed; the previous rules stay in use", { error: message });
      return false;
    }
  }

  /** Serve /healthz and /metrics; returns the bound address. */
  async listen(): Promise<{ host: string; port: number }> {
    this.server = new StatusServer(
      { health: () => this.health(), metrics: () => this.o.metrics.registry.render() },
      this.o.logger,
    );
    const { host, port, ...limits } = this.o.config.http;
    return this.server.listen(host, port, limits);
  }

  /** Start the schedules (and the start-up runs unless schedule.runOnStart is false). */
  start(): void {
    applyRetention(this.outputDir, this.now(), this.o.config.output.retentionDays);
    this.kickDeliveries();
    if (this.o.config.schedule.runOnStart) {
      void this.jobs.audit.trigger("start-up");
      void this.jobs.scan.trigger("start-up");
    }
    this.scheduler = new Scheduler(
      [
        { job: this.jobs.audit, cron: this.o.config.schedule.audit },
        { job: this.jobs.scan, cron: this.o.config.schedule.scan },
      ],
      this.o.config.schedule.timezone,
    );
    this.scheduler.start();
    this.o.logger.info("daemon started", {
      audit: this.o.config.schedule.audit,
      scan: this.o.config.schedule.scan,
      timezone: this.o.config.schedule.timezone,
    });
  }

  /**
   * Run each job once, deliver what can be delivered, and return the exit code: 3 when a job could
   * not complete, else the audit's (an unknown outcome is never reported as success).
   */
  async runOnce(): Promise<OnceResult> {
    applyRetention(this.outputDir, this.now(), this.o.config.output.retentionDays);
    const [audit, scan] = await Promise.all([
      this.jobs.audit.trigger("once"),
      this.jobs.scan.trigger("once"),
    ]);
    this.kickDeliveries();
    await Promise.all((this.o.deliveries ?? []).map((d) => d.idle()));
    await this.close();
    return { code: this.onceExitCode(audit, scan), audit, scan };
  }

  /**
   * 3 when a job could not complete (it failed or was aborted, or the scan could not read some file
   * or source), whatever the findings; otherwise the audit's code (1 means the jobs ran and some
   * finding FAILs).
   */
  private onceExitCode(audit: RunRecord | undefined, scan: RunRecord | undefined): number {
    if (audit?.outcome !== "success" || scan?.outcome !== "success") return 3;
    if (!this.lastAuditReport || !this.lastScanSummary) return 3;
    if (this.lastScanSummary.errors.length > 0) return 3;
    return this.o.backends.auditExitCode(this.lastAuditReport);
  }

  /**
   * Stop scheduling, give runs in progress `graceSeconds` to finish, then abort their AWS calls.
   * Files stay consistent either way: every report write is atomic and happens between awaits.
   */
  async shutdown(graceSeconds = this.o.config.shutdownGraceSeconds): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.o.logger.info("shutting down", { graceSeconds });
    await this.scheduler?.stop();
    const busy = Object.values(this.jobs).filter((j) => j.running);
    if (busy.length && !(await this.idleWithin(graceSeconds * 1000))) {
      this.o.logger.warn("grace period over; aborting runs in progress", {
        jobs: busy.filter((j) => j.running).map((j) => j.name),
      });
      for (const j of busy) j.abort("shutdown: grace period over");
      if (!(await this.idleWithin(ABORT_UNWIND_MS)))
        this.o.logger.warn("runs did not unwind after the abort; exiting with their files untouched");
    }
    await this.close();
    this.o.logger.info("daemon stopped");
  }

  private async close(): Promise<void> {
    await Promise.all((this.o.deliveries ?? []).map((d) => d.stop()));
    this.persistRuns();
    await this.server?.close();
  }

  private async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const idle = Promise.all(Object.values(this.jobs).map((j) => j.idle())).then(() => true as const);
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private withProgress(job: JobName, run: () => Promise<void>): Promise<void> {
    return withProgressLog(job, this.o.logger, this.o.progressLogMs ?? PROGRESS_LOG_MS, run);
  }

  private async auditRun(signal: AbortSignal): Promise<void> {
    const report = await this.o.backends.audit(signal);
    // An aborted audit's findings would show ERRORs that are only the abort: write nothing.
    if (signal.aborted) throw new Error("aborted before the report was written");
    const previous = readPreviousAudit(this.outputDir, this.o.logger);
    const { file, events } = writeAuditOutputs(this.outputDir, report, previous, this.now(), {
      maxBytes: this.o.config.output.rotateBytes,
      daily: this.o.config.output.rotateDaily,
    });
    if (this.o.config.output.html) writeAuditHtml(this.outputDir, report, previous, this.now());
    this.lastAuditReport = report;
    this.o.metrics.auditFindings(report.findings);
    for (const e of events) this.o.metrics.auditEvents.inc({ kind: e.kind });
    const removed = applyRetention(this.outputDir, this.now(), this.o.config.output.retentionDays);
    this.o.logger.info("audit report written", {
      file,
      findings: report.findings.length,
      events: events.length,
      removed: removed.length,
    });
    const failure = auditRunFailure(report);
    if (failure) throw new Error(failure);
  }

  private async scanRun(signal: AbortSignal): Promise<void> {
    const report = await this.o.backends.scan(signal, (d) => {
      this.o.metrics.detection(d);
      this.kickDeliveries();
    });
    const { summary } = report;
    this.o.metrics.scanFinished(summary);
    this.quarantinedFiles = this.o.store?.quarantineCount() ?? summary.quarantine?.length ?? 0;
    this.o.metrics.quarantinedFiles.set({}, this.quarantinedFiles);
    this.kickDeliveries();
    // latest-scan.json describes the last complete scan; an interrupted one resumes next time.
    if (signal.aborted) throw new Error("aborted before the summary was written");
    const file = writeScanOutputs(this.outputDir, report);
    this.lastScanSummary = summary;
    this.o.logger.info("scan summary written", {
      file,
      records: summary.records.read,
      detections: summary.detections.total,
      errors: summary.errors.length,
    });
    const failure = scanRunFailure(summary);
    if (failure) throw new Error(failure);
  }

  private finished(run: RunRecord): void {
    const seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
    this.o.metrics.jobFinished(run.job, run.outcome, seconds, run.finishedAt);
    this.persistRuns();
  }

  private kickDeliveries(): void {
    for (const d of this.o.deliveries ?? []) d.kick();
  }

  private persistRuns(): void {
    if (!this.o.store) return;
    try {
      saveRunHistory(this.o.store, Object.values(this.jobs));
    } catch (err) {
      this.o.logger.error("cannot persist daemon state", { error: (err as Error).message });
    }
  }

  /** Health survives a restart: the last outcomes come back from state.dir (an abort is no outcome). */
  private restoreRuns(): void {
    if (!this.o.store) return;
    try {
      loadRunHistory(this.o.store, Object.values(this.jobs));
      for (const j of Object.values(this.jobs))
        if (j.lastSuccess)
          this.o.metrics.lastSuccess.set({ job: j.name }, j.lastSuccess.finishedAt.getTime() / 1000);
    } catch (err) {
      this.o.logger.warn("daemon state unreadable; starting without run history", {
        error: (err as Error).message,
      });
    }
  }
}
