// The HTML report: one self-contained page (inline style and script, no external asset, a CSP that
// forbids fetching any) with the coverage matrix, summaries, filterable findings, detections and,
// given a baseline, what changed. Every value from a report is escaped: reports carry text from AWS
// and from CloudTrail records, which are untrusted.
import type { Finding, FindingStatus } from "../audit/finding.ts";
import { version } from "../version.ts";
import type { AuditReport } from "./audit-report.ts";
import { REPORT_CSS, REPORT_JS } from "./html-assets.ts";
import {
  type BaselineChanges,
  cellKey,
  changesSince,
  countsByCheck,
  countsByControl,
  coverageMatrix,
  detectionTimeline,
  mergeAudits,
} from "./report-model.ts";
import { elapsedSeconds, levelRank, type ScanReport } from "./scan-report.ts";

/** Detections listed one by one (the timeline counts them all). */
export const MAX_LISTED_DETECTIONS = 500;
const STATUSES: FindingStatus[] = ["PASS", "FAIL", "ERROR"];
const SEVERITIES = ["critical", "high", "medium", "low", "informational"];

export interface HtmlReportInput {
  audits: AuditReport[];
  scans: ScanReport[];
  baseline?: AuditReport;
}

export function escapeHtml(v: unknown): string {
  return String(v ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function renderHtmlReport(input: HtmlReportInput, now = new Date()): string {
  const { findings, accounts, regions } = mergeAudits(input.audits);
  const body: string[] = [];
  if (input.audits.length) {
    body.push(summarySection(findings, accounts.length, regions.length), coverageSection(findings));
    if (input.baseline)
      body.push(changesSection(changesSince(input.baseline.findings, findings), input.baseline));
    body.push(checksSection(findings), findingsSection(findings));
  }
  if (input.scans.length) body.push(detectionsSection(input.scans));
  const stamps = input.audits.map((a) => a.generatedAt).sort();
  const what = [
    input.audits.length
      ? `audit of ${accounts.length} accounts, ${regions.length} regions${stamps.length ? ` at ${stamps.at(-1)}` : ""}`
      : "",
    input.scans.length ? `${input.scans.length === 1 ? "a scan" : `${input.scans.length} scans`}` : "",
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trailwarden report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>trailwarden report</h1><p>${e(what.join("; "))}. Generated ${e(now.toISOString())} by trailwarden ${e(version)}.</p></header>
<main>
${body.join("\n")}
</main>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}

function counts(findings: readonly Finding[]): Record<FindingStatus, number> {
  const c = { PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 };
  for (const f of findings) c[f.status]++;
  return c;
}

function summarySection(findings: readonly Finding[], accounts: number, regions: number): string {
  const c = counts(findings);
  const card = (label: string, value: string | number, cls = "") =>
    `<div class="card ${cls}"><b>${e(value)}</b>${e(label)}</div>`;
  return `<section id="summary"><h2>Summary</h2><div class="cards">
${card("findings", findings.length)}${STATUSES.map((s) => card(s, c[s], `s-${s}`)).join("")}${card("accounts", accounts)}${card("regions", regions)}
</div></section>`;
}

function findingList(title: string, id: string, list: readonly Finding[]): string {
  const items = list.length
    ? `<ul>${list.map((f) => `<li><span class="badge s-${f.status}">${f.status}</span> <b>${e(f.check)}</b> ${e(accountLabel(f))}${f.region ? ` ${e(f.region)}` : ""}${f.resource ? ` <code class="wrap">${e(f.resource)}</code>` : ""}: ${e(f.message)}</li>`).join("")}</ul>`
    : `<p class="muted">none</p>`;
  return `<div id="${id}"><h3>${e(title)} (${list.length})</h3>${items}</div>`;
}

function changesSection(changes: BaselineChanges, baseline: AuditReport): string {
  return `<section id="changes"><h2>Since the baseline of ${e(baseline.generatedAt)}</h2>
${findingList("New FAIL", "new-fail", changes.newFail)}
${findingList("Fixed", "fixed", changes.fixed)}
${findingList("New ERROR", "new-error", changes.newError)}
</section>`;
}

function coverageSection(findings: readonly Finding[]): string {
  const m = coverageMatrix(findings);
  if (!m.accounts.length)
    return `<section id="coverage"><h2>Trail coverage</h2><p class="muted">No trail-coverage findings.</p></section>`;
  const head = `<tr><th>Account</th>${m.regions.map((r) => `<th>${e(r)}</th>`).join("")}</tr>`;
  const rows = m.accounts.map((a) => {
    const cells = m.regions.map((r) => {
      const c = m.cells.get(cellKey(a.id, r));
      if (!c) return `<td class="none" title="not audited">–</td>`;
      const tip = c.trails.length ? `${c.status}: ${c.trails.join(", ")}` : `${c.status}: ${c.message}`;
      return `<td class="cell s-${c.status}" tabindex="0" data-account="${e(a.id)}" data-region="${e(r)}" data-status="${c.status}" data-trails="${e(c.trails.join("\n"))}" data-message="${e(c.message)}" title="${e(tip)}">${c.status}</td>`;
    });
    return `<tr><th>${e(a.name ? `${a.name} ` : "")}<span class="muted">${e(a.id)}</span></th>${cells.join("")}</tr>`;
  });
  return `<section id="coverage"><h2>Trail coverage</h2>
<p class="muted">One cell per trail-coverage finding. Hover or click a cell to see the trails that cover it.</p>
<div class="matrix-wrap"><table class="matrix">${head}${rows.join("")}</table>
<div id="cell-detail"><p class="muted">Hover or click a cell.</p></div></div>
</section>`;
}

function countsTable(
  title: string,
  firstColumn: string,
  rows: [string, Record<FindingStatus, number>][],
): string {
  if (!rows.length) return "";
  const body = rows
    .map(
      ([name, c]) =>
        `<tr><td>${e(name)}</td>${STATUSES.map((s) => `<td class="num${c[s] && s !== "PASS" ? ` s-${s}` : ""}">${c[s]}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<h3>${e(title)}</h3><table><tr><th>${e(firstColumn)}</th>${STATUSES.map((s) => `<th class="num">${s}</th>`).join("")}</tr>${body}</table>`;
}

function checksSection(findings: readonly Finding[]): string {
  return `<section id="checks"><h2>Checks and compliance controls</h2>
${countsTable("By check", "Check", countsByCheck(findings))}
${countsTable("By compliance control", "Control", countsByControl(findings))}
</section>`;
}

function select(id: string, label: string, values: string[]): string {
  return `<label for="filter-${id}">${e(label)}</label><select id="filter-${id}"><option value="">all</option>${values.map((v) => `<option value="${e(v)}">${e(v)}</option>`).join("")}</select>`;
}

function accountLabel(f: Finding): string {
  return f.accountName ? `${f.accountName} (${f.accountId})` : f.accountId;
}

function findingsSection(findings: readonly Finding[]): string {
  const sorted = [...findings].sort(
    (a, b) =>
      STATUSES.indexOf(b.status) - STATUSES.indexOf(a.status) ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.check.localeCompare(b.check) ||
      a.accountId.localeCompare(b.accountId) ||
      (a.region ?? "").localeCompare(b.region ?? ""),
  );
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  const filters = `<div class="filters">${select("status", "Status", STATUSES)}${select(
    "severity",
    "Severity",
    SEVERITIES.filter((s) => findings.some((f) => f.severity === s)),
  )}${select("check", "Check", uniq(findings.map((f) => f.check)))}${select("account", "Account", uniq(findings.map((f) => f.accountId)))}<span id="findings-shown" class="muted"></span></div>`;
  const rows = sorted
    .map(
      (f) =>
        `<tr class="finding" data-status="${f.status}" data-severity="${e(f.severity)}" data-check="${e(f.check)}" data-account="${e(f.accountId)}"><td><span class="badge s-${f.status}">${f.status}</span></td><td>${e(f.severity)}</td><td>${e(f.check)}</td><td>${e(accountLabel(f))}</td><td>${e(f.region ?? "")}</td><td class="wrap">${e(f.resource ?? "")}</td><td>${e(f.message)}</td><td>${e(f.remediation)}</td></tr>`,
    )
    .join("\n");
  return `<section id="findings"><h2>Findings</h2>${filters}
<table id="findings-table"><tr><th>Status</th><th>Severity</th><th>Check</th><th>Account</th><th>Region</th><th>Resource</th><th>Message</th><th>Remediation</th></tr>
${rows}</table></section>`;
}

function detectionsSection(scans: readonly ScanReport[]): string {
  const t = detectionTimeline(scans);
  const files = scans.reduce((n, s) => n + s.summary.files.read, 0);
  const records = scans.reduce((n, s) => n + s.summary.records.read, 0);
  const seconds = scans.reduce((n, s) => n + elapsedSeconds(s.summary), 0);
  const total = t.rules.reduce((n, r) => n + r.total, 0);
  const levels = t.byLevel.map(([l, n]) => `<span class="badge lv-${e(l)}">${e(l)} ${n}</span>`).join(" ");
  const max = Math.max(1, ...t.rules.flatMap((r) => r.perDay));
  const dayHead = t.days.length ? `<th>Per day (${e(t.days[0])} to ${e(t.days.at(-1))})</th>` : "";
  const ruleRows = t.rules
    .map((r) => {
      const bars = t.days.length
        ? `<td><div class="bars">${r.perDay.map((n, i) => `<span style="height:${Math.round((n / max) * 28)}px" title="${e(t.days[i])}: ${n}"></span>`).join("")}</div></td>`
        : "";
      return `<tr class="rule" data-rule="${e(r.id)}"><td>${e(r.title)}<br><code class="muted">${e(r.id)}</code></td><td>${r.level ? `<span class="badge lv-${e(r.level)}">${e(r.level)}</span>` : ""}</td><td class="num">${r.total}</td>${bars}</tr>`;
    })
    .join("\n");
  const detections = scans
    .flatMap((s) => s.detections ?? [])
    .sort((a, b) => levelRank(a.level) - levelRank(b.level) || b.eventTime.localeCompare(a.eventTime))
    .slice(0, MAX_LISTED_DETECTIONS);
  // Records that fired several rules: each row names the other rules of its event.
  const byGroup = new Map<string, string[]>();
  for (const d of scans.flatMap((s) => s.detections ?? [])) {
    const key = d.groupKey ?? d.eventID;
    byGroup.set(key, [...(byGroup.get(key) ?? []), d.ruleTitle]);
  }
  const listed = detections
    .map((d) => {
      const others = (byGroup.get(d.groupKey ?? d.eventID) ?? []).filter((t) => t !== d.ruleTitle);
      const also = others.length
        ? `<br><span class="muted also">same event: ${e(others.join("; "))}</span>`
        : "";
      const why = d.match
        ? `${e(d.match.selections.join(", "))}${Object.entries(d.match.fields)
            .map(([k, v]) => `<br><code>${e(k)}</code> = <code class="wrap">${e(v)}</code>`)
            .join("")}`
        : "";
      return `<tr class="detection" data-group="${e(d.groupKey ?? d.eventID)}"><td>${e(d.eventTime)}</td><td><span class="badge lv-${e(d.level)}">${e(d.level)}</span></td><td>${e(d.ruleTitle)}${also}</td><td>${e(d.recipientAccountId)} ${e(d.awsRegion)}</td><td class="wrap">${e(d.principal)}</td><td>${e(d.eventSource)} ${e(d.eventName)}</td><td>${why}</td></tr>`;
    })
    .join("\n");
  return `<section id="detections"><h2>Detections</h2>
<p>${total} detections from ${records} records in ${files} files${seconds ? ` (${seconds.toFixed(1)} s)` : ""}. ${levels}</p>
${ruleRows ? `<h3>By rule and level over time</h3><table id="rules-table"><tr><th>Rule</th><th>Level</th><th class="num">Detections</th>${dayHead}</tr>${ruleRows}</table>` : `<p class="muted">No detections.</p>`}
${listed ? `<h3>Detections${detections.length === MAX_LISTED_DETECTIONS ? ` (the first ${MAX_LISTED_DETECTIONS})` : ""}</h3><table id="detections-table"><tr><th>Event time</th><th>Level</th><th>Rule</th><th>Account / region</th><th>Principal</th><th>Call</th><th>Why it matched</th></tr>${listed}</table>` : ""}
</section>`;
}
