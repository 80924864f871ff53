// Progress on a terminal: one stderr line, redrawn in place a few times a second while a job runs.
// Nothing when stderr is not a terminal or with --quiet; the line is cleared when the job ends.
import { clearLine, cursorTo } from "node:readline";
import { auditProgressLine, scanProgressLine } from "../report/progress-line.ts";
import { auditProgress, type JobProgress, type ProgressSnapshot, scanProgress } from "../util/progress.ts";

const REDRAW_MS = 250;

export interface ProgressDisplay {
  stop(): void;
}

const kinds: Record<"audit" | "scan", { progress: JobProgress; line: (p: ProgressSnapshot) => string }> = {
  audit: { progress: auditProgress, line: auditProgressLine },
  scan: { progress: scanProgress, line: scanProgressLine },
};

export function startProgress(
  kind: "audit" | "scan",
  opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
): ProgressDisplay {
  const stream = opts.stream ?? process.stderr;
  const { progress, line } = kinds[kind];
  progress.reset();
  if (opts.quiet || !stream.isTTY) return { stop() {} };
  const draw = () => {
    const width = Math.max((stream.columns ?? 100) - 1, 20);
    cursorTo(stream, 0);
    stream.write(line(progress.snapshot()).slice(0, width));
    clearLine(stream, 1);
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      cursorTo(stream, 0);
      clearLine(stream, 0);
    },
  };
}
