// Health as a pure function of the jobs' last runs: healthy while every job's last run succeeded
// and that success is recent enough for its schedule.
import type { RunRecord } from "./job.ts";
import type { JobName } from "./types.ts";

export interface JobHealthInput {
  name: JobName;
  lastRun?: RunRecord;
  lastSuccess?: RunRecord;
  /** Longest gap between two ticks of the job's schedule. */
  intervalMs: number;
  running: boolean;
}

export interface Health {
  ok: boolean;
  /** One sentence per unhealthy job; empty when ok. */
  reasons: string[];
  /**
   * Working, but not as it should (rules threw on records in the last scan, a rule reload failed):
   * /healthz says "degraded" with these sentences and still answers 200, since a restart fixes none.
   */
  degraded?: string[];
  jobs: Record<
    string,
    { state: "ok" | "pending" | "failing" | "stale"; lastSuccess?: string; running: boolean }
  >;
}

/**
 * A success may be up to two intervals old: the next tick's run needs time to finish, and one
 * skipped tick (a slow run) is not yet a failure.
 */
const STALE_AFTER_INTERVALS = 2;

/** The degraded sentence for a scan whose rules threw on some records. */
export function evaluationErrorsReason(errors: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(errors ?? {});
  if (!entries.length) return undefined;
  const total = entries.reduce((n, [, c]) => n + c, 0);
  const listed = entries
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([rule, c]) => `${rule} (${c})`)
    .join(", ");
  return `the last scan had ${total} rule evaluation errors; by rule: ${listed}${entries.length > 5 ? ", ..." : ""}`;
}

/** The degraded sentence for files the last scan could not read (quarantined by key). */
export function quarantineReason(
  quarantined: ScanQuarantine | undefined,
  total = quarantined?.length ?? 0,
): string | undefined {
  if (!quarantined?.length && !total) return undefined;
  const listed = (quarantined ?? [])
    .slice(0, 5)
    .map((q) => `${q.file} (${q.kind}: ${q.reason}; next try ${q.nextRetryAt})`)
    .join(", ");
  return `${total} log files could not be read and wait in quarantine${listed ? `: ${listed}` : ""}${total > 5 ? ", ..." : ""}`;
}

type ScanQuarantine = readonly { file: string; kind: string; reason: string; nextRetryAt: string }[];

export function assessHealth(
  jobs: readonly JobHealthInput[],
  now: Date,
  startedAt: Date,
  degraded: readonly string[] = [],
): Health {
  const reasons: string[] = [];
  const out: Health["jobs"] = {};
  for (const j of jobs) {
    const window = j.intervalMs * STALE_AFTER_INTERVALS;
    const lastSuccess = j.lastSuccess?.finishedAt.toISOString();
    let state: Health["jobs"][string]["state"] = "ok";
    if (j.lastRun && j.lastRun.outcome !== "success") {
      state = "failing";
      const what = j.lastRun.outcome === "aborted" ? "was aborted" : "failed";
      reasons.push(
        `${j.name} ${what} at ${j.lastRun.finishedAt.toISOString()}${j.lastRun.error ? `: ${j.lastRun.error}` : ""}`,
      );
    } else if (!j.lastSuccess) {
      if (now.getTime() - startedAt.getTime() > window) {
        state = "stale";
        reasons.push(`${j.name} has not completed since start-up at ${startedAt.toISOString()}`);
      } else state = "pending";
    } else if (now.getTime() - j.lastSuccess.finishedAt.getTime() > window) {
      state = "stale";
      reasons.push(
        `${j.name} last succeeded at ${lastSuccess}, longer ago than ${Math.round(window / 1000)}s (twice its schedule's interval)`,
      );
    }
    out[j.name] = { state, lastSuccess, running: j.running };
  }
  return { ok: reasons.length === 0, reasons, degraded: [...degraded], jobs: out };
}
