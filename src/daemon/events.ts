// Status changes between two audits, as the lines of events.jsonl. Pure: the previous and the new
// findings in, the events out.
import type { FindingView, Status } from "./types.ts";

export type EventKind = "new-fail" | "new-error" | "fixed" | "error-cleared" | "gone";

export interface AuditEvent {
  time: string;
  kind: EventKind;
  check: string;
  accountId: string;
  region?: string;
  resource?: string;
  /** undefined: the finding did not exist in the previous audit. */
  previousStatus?: Status;
  /** undefined: the finding no longer exists (kind "gone"). */
  status?: Status;
  severity?: string;
  message: string;
  /** The audit report file that shows the new state. */
  report: string;
}

/** What identifies "the same finding" across audits. */
function findingKey(f: FindingView): string {
  return [f.check, f.accountId, f.region ?? "", f.resource ?? ""].join("|");
}

function kindOf(previous: Status | undefined, status: Status): EventKind | undefined {
  if (previous === status) return undefined;
  if (status === "FAIL") return "new-fail";
  if (status === "ERROR") return "new-error";
  if (previous === "FAIL") return "fixed";
  if (previous === "ERROR") return "error-cleared";
  return undefined; // a new finding that passes is not news
}

/**
 * The status changes from `previous` to `current`. Without a previous audit there is no change to
 * report: the first audit is the baseline.
 */
export function diffFindings(
  previous: readonly FindingView[] | undefined,
  current: readonly FindingView[],
  report: string,
  time: Date,
): AuditEvent[] {
  if (!previous) return [];
  const before = new Map(previous.map((f) => [findingKey(f), f]));
  const events: AuditEvent[] = [];
  const base = (f: FindingView) => ({
    time: time.toISOString(),
    check: f.check,
    accountId: f.accountId,
    region: f.region,
    resource: f.resource,
    severity: f.severity,
    report,
  });
  const seen = new Set<string>();
  for (const f of current) {
    const key = findingKey(f);
    seen.add(key);
    const prev = before.get(key)?.status;
    const kind = kindOf(prev, f.status);
    if (kind) events.push({ ...base(f), kind, previousStatus: prev, status: f.status, message: f.message });
  }
  for (const [key, f] of before) {
    if (seen.has(key)) continue;
    events.push({
      ...base(f),
      kind: "gone",
      previousStatus: f.status,
      message: `no longer reported (was ${f.status}: ${f.message})`,
    });
  }
  return events;
}
