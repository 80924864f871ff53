// The JSON report of a scan (schema/scan-report.schema.json): what `scan` prints and `report` reads.
import type { Detection } from "../logs/detection.ts";
import type { ScanSummary } from "../logs/summary.ts";

export interface ScanReport {
  schemaVersion: 1;
  tool: { name: "trailwarden"; version: string };
  /** notes: rules left out by their status (rules.includeStatuses); present only when some were. */
  rules: { loaded: number; problems: string[]; notes?: string[] };
  summary: ScanSummary;
  detections?: Detection[];
}

export const LEVEL_ORDER = ["critical", "high", "medium", "low", "informational"] as const;

/** Sort key of a Sigma level: critical first, unknown levels last. */
export function levelRank(level: string): number {
  const i = (LEVEL_ORDER as readonly string[]).indexOf(level);
  return i < 0 ? LEVEL_ORDER.length : i;
}

/** Seconds between the summary's start and finish (0 when unknown or negative). */
export function elapsedSeconds(summary: Pick<ScanSummary, "startedAt" | "finishedAt">): number {
  const ms = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

/** The rules that fired most, with their titles when known: [{id, title, count}], most first. */
export function topRules(
  summary: ScanSummary,
  detections: readonly Detection[] | undefined,
  limit: number,
): { id: string; title: string; count: number }[] {
  const titles: Record<string, string> = { ...(summary.detections.ruleTitles ?? {}) };
  for (const d of detections ?? []) titles[d.ruleId] ??= d.ruleTitle;
  return Object.entries(summary.detections.byRule)
    .map(([id, count]) => ({ id, title: titles[id] ?? id, count }))
    .sort((a, b) => b.count - a.count || a.title.localeCompare(b.title))
    .slice(0, limit);
}
