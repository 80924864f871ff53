// One job (audit or scan) and its runs: never two runs at once, a failing run is logged and counted
// but never thrown to the caller, and a run in progress can be aborted (daemon shutdown).
import type { Logger } from "../util/logger.ts";
import type { JobName } from "./types.ts";

export type Outcome = "success" | "failure" | "aborted";

export interface RunRecord {
  job: JobName;
  reason: string;
  startedAt: Date;
  finishedAt: Date;
  outcome: Outcome;
  error?: string;
}

export interface JobHooks {
  logger: Logger;
  /** Called after every run, success or not. */
  onFinished?(run: RunRecord): void;
  /** Called when a trigger arrives while a run is in progress. */
  onSkipped?(job: JobName, reason: string): void;
  now?: () => Date;
}

/** The work itself. It should stop early when `signal` aborts; a throw is a failed run. */
export type JobWork = (signal: AbortSignal) => Promise<void>;

export class Job {
  private current?: { promise: Promise<RunRecord>; controller: AbortController };
  lastRun?: RunRecord;
  lastSuccess?: RunRecord;
  skipped = 0;

  constructor(
    readonly name: JobName,
    private readonly work: JobWork,
    private readonly hooks: JobHooks,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Start a run unless one is in progress; returns the run's record, or undefined when skipped. */
  trigger(reason: string): Promise<RunRecord> | undefined {
    if (this.current) {
      this.skipped++;
      this.hooks.logger.warn("tick skipped: previous run still in progress", { job: this.name, reason });
      this.hooks.onSkipped?.(this.name, reason);
      return undefined;
    }
    const controller = new AbortController();
    const promise = this.execute(reason, controller.signal).finally(() => {
      this.current = undefined;
    });
    this.current = { promise, controller };
    return promise;
  }

  /** Ask the run in progress to stop (its AWS calls are aborted through the signal). */
  abort(reason = "shutdown"): void {
    this.current?.controller.abort(new Error(reason));
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.current) await this.current.promise;
  }

  private async execute(reason: string, signal: AbortSignal): Promise<RunRecord> {
    const now = this.hooks.now ?? (() => new Date());
    const startedAt = now();
    const log = this.hooks.logger.child({ job: this.name });
    log.info("run started", { reason });
    let outcome: Outcome = "success";
    let error: string | undefined;
    try {
      await this.work(signal);
      if (signal.aborted) outcome = "aborted";
    } catch (err) {
      outcome = signal.aborted ? "aborted" : "failure";
      error = (err as Error)?.message ?? String(err);
    }
    const finishedAt = now();
    const run: RunRecord = { job: this.name, reason, startedAt, finishedAt, outcome, error };
    const seconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
    if (outcome === "success") log.info("run finished", { seconds });
    else if (outcome === "aborted") log.warn("run aborted", { seconds, error });
    else log.error("run failed", { seconds, error });
    this.lastRun = run;
    if (outcome === "success") this.lastSuccess = run;
    try {
      this.hooks.onFinished?.(run);
    } catch (err) {
      log.error("run bookkeeping failed", { error: (err as Error).message });
    }
    return run;
  }
}
