// Process-wide progress counters of the running audit and scan. The parts that do the work add to
// them (an increment per AWS call or per log file, never per record); whoever started the job (the
// CLI on a terminal, the daemon's progress log line) resets them and reads a snapshot now and then.

export interface ProgressSnapshot {
  startedAt: number;
  counts: Readonly<Record<string, number>>;
  /** How many there will be, where known (scan files of a local listing, audit accounts). */
  totals: Readonly<Record<string, number>>;
}

export class JobProgress {
  private startedAt = Date.now();
  private counts: Record<string, number> = {};
  private totals: Record<string, number> = {};

  reset(now = Date.now()): void {
    this.startedAt = now;
    this.counts = {};
    this.totals = {};
  }

  add(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  /** More work became known: `n` more of `key` are planned. */
  plan(key: string, n: number): void {
    this.totals[key] = (this.totals[key] ?? 0) + n;
  }

  snapshot(): ProgressSnapshot {
    return { startedAt: this.startedAt, counts: { ...this.counts }, totals: { ...this.totals } };
  }
}

export const auditProgress = new JobProgress();
export const scanProgress = new JobProgress();
