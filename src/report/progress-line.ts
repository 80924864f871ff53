// One line of progress for people (a terminal's stderr) and for logs (the daemon's progress line).
import type { ProgressSnapshot } from "../util/progress.ts";
import { formatDuration } from "./duration.ts";

const n = (v: number | undefined) => (v ?? 0).toLocaleString("en-US");

/** "scan: 120/500 files, 1,234,567 records, 45,210 records/s, ETA 1m20s" (ETA when the total is known). */
export function scanProgressLine(p: ProgressSnapshot, now = Date.now()): string {
  const seconds = Math.max((now - p.startedAt) / 1000, 0.001);
  const files = p.counts.files ?? 0;
  const total = p.totals.files;
  const rate = Math.round((p.counts.records ?? 0) / seconds);
  const parts = [
    `${n(files)}${total ? `/${n(total)}` : ""} files`,
    `${n(p.counts.records)} records`,
    `${n(rate)} records/s`,
  ];
  if (p.counts.bad) parts.push(`${n(p.counts.bad)} bad`);
  if (p.counts.failed) parts.push(`${n(p.counts.failed)} failed`);
  if (total && files > 0 && files < total)
    parts.push(`ETA ${formatDuration(((total - files) * seconds) / files)}`);
  return `scan: ${parts.join(", ")}`;
}

/**
 * "audit: 2/3 accounts, 34/51 regions, 412 calls, 1 error, 12s": regions of an account count as
 * planned once its regions are known, and as done when the account is.
 */
export function auditProgressLine(p: ProgressSnapshot, now = Date.now()): string {
  const of = (key: string) =>
    `${n(p.counts[key])}${p.totals[key] !== undefined ? `/${n(p.totals[key])}` : ""}`;
  const errors = p.counts.errors ?? 0;
  return `audit: ${of("accounts")} accounts, ${of("regions")} regions, ${n(p.counts.calls)} calls, ${n(errors)} error${errors === 1 ? "" : "s"}, ${formatDuration((now - p.startedAt) / 1000)}`;
}
