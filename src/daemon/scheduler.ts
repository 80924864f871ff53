// Drives jobs from cron expressions with node-cron. Ticks only trigger; the Job decides whether a
// run starts (a run still in progress makes the tick a skipped one).
import cron, { type ScheduledTask } from "node-cron";
import type { Job } from "./job.ts";

export interface ScheduleEntry {
  job: Job;
  cron: string;
}

export { cronProblems } from "../config/checks.ts";

/**
 * The longest gap between consecutive ticks of a schedule (over the next `samples` ticks), in ms.
 * The health check allows a job this long between successes, since a schedule like
 * "0 9-17 * * 1-5" has uneven gaps.
 */
export function longestIntervalMs(expression: string, timezone: string, samples = 50): number {
  const task = cron.createTask(expression, () => {}, { timezone });
  try {
    const runs = task.getNextRuns(samples);
    let longest = 0;
    for (let i = 1; i < runs.length; i++)
      longest = Math.max(longest, runs[i].getTime() - runs[i - 1].getTime());
    return longest;
  } finally {
    task.destroy();
  }
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly entries: ScheduleEntry[],
    private readonly timezone: string,
  ) {}

  start(): void {
    for (const { job, cron: expression } of this.entries) {
      // The callback returns nothing so node-cron never waits on a run; Job guards against overlap.
      const task = cron.schedule(
        expression,
        () => {
          void job.trigger("schedule");
        },
        { timezone: this.timezone, name: job.name, suppressMissedWarning: true },
      );
      this.tasks.push(task);
    }
  }

  /** Stop ticking; runs in progress go on. */
  async stop(): Promise<void> {
    for (const t of this.tasks.splice(0)) await t.destroy();
  }
}
