// The daemon's progress on long jobs: a log line every so often while the job runs (a terminal's
// redrawn line would mean nothing in a log). A job shorter than one interval logs nothing.
import { auditProgressLine, scanProgressLine } from "../report/progress-line.ts";
import type { Logger } from "../util/logger.ts";
import { auditProgress, scanProgress } from "../util/progress.ts";
import type { JobName } from "./types.ts";

export const PROGRESS_LOG_MS = 30_000;

export async function withProgressLog<T>(
  job: JobName,
  logger: Logger,
  everyMs: number,
  run: () => Promise<T>,
): Promise<T> {
  const progress = job === "audit" ? auditProgress : scanProgress;
  const line = job === "audit" ? auditProgressLine : scanProgressLine;
  progress.reset();
  const timer = setInterval(() => {
    const p = progress.snapshot();
    logger.info("progress", { job, progress: line(p), ...p.counts });
  }, everyMs);
  timer.unref();
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
