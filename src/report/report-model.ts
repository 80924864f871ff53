// What the HTML report shows, computed from the report documents: merged findings, the coverage
// matrix, summaries by check and by compliance control, the change since a baseline, and the
// detections by rule and day. Pure, so each piece is tested without a browser.
import type { Finding, FindingStatus } from "../audit/finding.ts";
import type { Detection } from "../logs/detection.ts";
import type { AuditReport } from "./audit-report.ts";
import { levelRank, type ScanReport, topRules } from "./scan-report.ts";

type Counts = Record<FindingStatus, number>;
const zero = (): Counts => ({ PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 });

export interface CoverageCell {
  accountId: string;
  region: string;
  status: FindingStatus;
  message: string;
  trails: string[];
}

export interface CoverageMatrix {
  accounts: { id: string; name?: string }[];
  regions: string[];
  /** `${accountId} ${region}` → the trail-coverage finding there. */
  cells: Map<string, CoverageCell>;
}

export const cellKey = (accountId: string, region: string) => `${accountId} ${region}`;

/** One cell per trail-coverage finding, rows by account and columns by region. */
export function coverageMatrix(findings: readonly Finding[]): CoverageMatrix {
  const accounts = new Map<string, string | undefined>();
  const regions = new Set<string>();
  const cells = new Map<string, CoverageCell>();
  for (const f of findings) {
    if (f.check !== "trail-coverage" || !f.region) continue;
    if (!accounts.has(f.accountId) || f.accountName) accounts.set(f.accountId, f.accountName);
    regions.add(f.region);
    cells.set(cellKey(f.accountId, f.region), {
      accountId: f.accountId,
      region: f.region,
      status: f.status,
      message: f.message,
      trails: f.trails ?? [],
    });
  }
  return {
    accounts: [...accounts]
      .map(([id, name]) => ({ id, ...(name ? { name } : {}) }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    regions: [...regions].sort(),
    cells,
  };
}

export function countsByCheck(findings: readonly Finding[]): [string, Counts][] {
  const by = new Map<string, Counts>();
  for (const f of findings) {
    const c = by.get(f.check) ?? zero();
    c[f.status]++;
    by.set(f.check, c);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b));
}

/** By compliance control (e.g. CIS-AWS-3.0:3.1): a control fails when any of its findings fails. */
export function countsByControl(findings: readonly Finding[]): [string, Counts][] {
  const by = new Map<string, Counts>();
  for (const f of findings)
    for (const control of f.compliance ?? []) {
      const c = by.get(control) ?? zero();
      c[f.status]++;
      by.set(control, c);
    }
  return [...by].sort(([a], [b]) => a.localeCompare(b));
}

/** What identifies "the same finding" across two audits. */
export function findingKey(f: Finding): string {
  return [f.check, f.accountId, f.region ?? "", f.resource ?? ""].join("|");
}

export interface BaselineChanges {
  newFail: Finding[];
  fixed: Finding[];
  newError: Finding[];
}

/** New FAIL: FAIL now, not FAIL before. Fixed: FAIL before, PASS now or gone. New ERROR: likewise. */
export function changesSince(baseline: readonly Finding[], current: readonly Finding[]): BaselineChanges {
  const before = new Map(baseline.map((f) => [findingKey(f), f]));
  const now = new Map(current.map((f) => [findingKey(f), f]));
  const changes: BaselineChanges = { newFail: [], fixed: [], newError: [] };
  for (const [k, f] of now) {
    const was = before.get(k)?.status;
    if (f.status === "FAIL" && was !== "FAIL") changes.newFail.push(f);
    if (f.status === "ERROR" && was !== "ERROR") changes.newError.push(f);
  }
  for (const [k, f] of before) {
    const is = now.get(k)?.status;
    if (f.status === "FAIL" && (is === "PASS" || is === undefined)) changes.fixed.push(f);
  }
  return changes;
}

export interface RuleTimeline {
  id: string;
  title: string;
  level: string;
  total: number;
  /** Count per day (YYYY-MM-DD), over `days`. */
  perDay: number[];
}

export interface DetectionTimeline {
  days: string[];
  rules: RuleTimeline[];
  byLevel: [string, number][];
}

/** Detections by rule and level over time (per day of eventTime); rules by most detections. */
export function detectionTimeline(scans: readonly ScanReport[]): DetectionTimeline {
  const detections: Detection[] = scans.flatMap((s) => s.detections ?? []);
  const days = [
    ...new Set(detections.map((d) => d.eventTime.slice(0, 10)).filter((d) => /^\d{4}-\d\d-\d\d$/.test(d))),
  ].sort();
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const rules = new Map<string, RuleTimeline>();
  const levels = new Map<string, number>();
  for (const s of scans) {
    for (const r of topRules(s.summary, s.detections, Number.POSITIVE_INFINITY)) {
      const t = rules.get(r.id) ?? {
        id: r.id,
        title: r.title,
        level: "",
        total: 0,
        perDay: days.map(() => 0),
      };
      t.total += r.count;
      rules.set(r.id, t);
    }
    for (const [level, n] of Object.entries(s.summary.detections.byLevel))
      levels.set(level, (levels.get(level) ?? 0) + n);
  }
  for (const d of detections) {
    const t = rules.get(d.ruleId) ?? {
      id: d.ruleId,
      title: d.ruleTitle,
      level: d.level,
      total: 0,
      perDay: days.map(() => 0),
    };
    t.level ||= d.level;
    const i = dayIndex.get(d.eventTime.slice(0, 10));
    if (i !== undefined) t.perDay[i]++;
    rules.set(d.ruleId, t);
  }
  return {
    days,
    rules: [...rules.values()].sort(
      (a, b) =>
        b.total - a.total || levelRank(a.level) - levelRank(b.level) || a.title.localeCompare(b.title),
    ),
    byLevel: [...levels].sort(([a], [b]) => levelRank(a) - levelRank(b)),
  };
}

/** Every audit's findings together, and the union of their scopes (or of the findings' accounts and regions). */
export function mergeAudits(audits: readonly AuditReport[]): {
  findings: Finding[];
  accounts: string[];
  regions: string[];
} {
  const findings = audits.flatMap((a) => a.findings);
  const accounts = audits.flatMap((a) => a.scope?.accounts ?? findings.map((f) => f.accountId));
  const regions = audits.flatMap(
    (a) => a.scope?.regions ?? findings.flatMap((f) => (f.region ? [f.region] : [])),
  );
  return { findings, accounts: [...new Set(accounts)].sort(), regions: [...new Set(regions)].sort() };
}
