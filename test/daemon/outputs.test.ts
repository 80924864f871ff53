import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  auditFileName,
  auditFileTime,
  readPreviousAudit,
  writeAuditHtml,
  writeAuditOutputs,
  writeScanOutputs,
} from "../../src/daemon/outputs.ts";
import { applyRetention, expiredFiles } from "../../src/daemon/retention.ts";
import type { AuditReportView } from "../../src/daemon/types.ts";
import { silentLogger } from "../../src/util/logger.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "tw-outputs-"));
const report = (generatedAt: string, status: "PASS" | "FAIL"): AuditReportView => ({
  generatedAt,
  findings: [{ check: "trail-sns", status, accountId: "111111111111", region: "us-east-1", message: "m" }],
});

test("names audit files by their UTC time without colons, and reads the time back", () => {
  const at = new Date("2026-11-24T01:02:03.456Z");
  assert.equal(auditFileName(at), "audit-20261124T010203Z.json");
  assert.equal(auditFileTime("audit-20261124T010203Z.json")?.toISOString(), "2026-11-24T01:02:03.000Z");
  assert.equal(auditFileTime("latest-audit.json"), undefined);
});

test("an audit writes its timestamped report, replaces latest-audit.json and appends status changes", () => {
  const dir = tmp();
  const first = writeAuditOutputs(dir, report("2026-11-24T01:00:00Z", "PASS"), undefined, new Date());
  assert.deepEqual(first.events, []);
  const previous = readPreviousAudit(dir, silentLogger);
  assert.equal(previous?.generatedAt, "2026-11-24T01:00:00Z");
  const second = writeAuditOutputs(dir, report("2026-11-24T02:00:00Z", "FAIL"), previous, new Date());
  assert.deepEqual(readdirSync(dir).sort(), [
    "audit-20261124T010000Z.json",
    "audit-20261124T020000Z.json",
    "events.jsonl",
    "latest-audit.json",
  ]);
  const latest = JSON.parse(readFileSync(join(dir, "latest-audit.json"), "utf8"));
  assert.equal(latest.generatedAt, "2026-11-24T02:00:00Z");
  const lines = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]).kind, "new-fail");
  assert.equal(JSON.parse(lines[0]).report, "audit-20261124T020000Z.json");
  assert.equal(second.events.length, 1);
});

test("an unreadable latest-audit.json is logged and treated as no previous audit", () => {
  const dir = tmp();
  writeFileSync(join(dir, "latest-audit.json"), "{ truncated");
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
  assert.equal(readPreviousAudit(dir, logger), undefined);
  assert.equal(warnings.length, 1);
});

test("latest-scan.json holds the scan report with its summary", () => {
  const dir = tmp();
  const summary = {
    files: { read: 1, failed: 0 },
    records: { read: 7 },
    detections: { total: 2, byLevel: { high: 2 } },
    errors: [],
  };
  writeScanOutputs(dir, { summary });
  assert.equal(JSON.parse(readFileSync(join(dir, "latest-scan.json"), "utf8")).summary.records.read, 7);
});

test("retention removes audit reports older than retentionDays and keeps the rest", () => {
  const now = new Date("2026-11-24T00:00:00Z");
  const removed = expiredFiles(
    [
      { name: "audit-20261110T000000Z.json", mtimeMs: now.getTime() },
      { name: "audit-20261120T000000Z.json", mtimeMs: 0 },
      { name: "latest-audit.json", mtimeMs: 0 },
      { name: "events.jsonl", mtimeMs: 0 },
      { name: "detections.jsonl", mtimeMs: 0 },
    ],
    now,
    7,
  );
  assert.deepEqual(removed, [{ file: "audit-20261110T000000Z.json", reason: "expired" }]);
});

test("without retentionDays no report is removed", () => {
  const now = new Date("2026-11-24T00:00:00Z");
  assert.deepEqual(expiredFiles([{ name: "audit-20200101T000000Z.json", mtimeMs: 0 }], now, undefined), []);
});

test("retention removes temp files left by an interrupted write, but not a fresh one", () => {
  const dir = tmp();
  const old = join(dir, ".latest-audit.json.123.abcd.tmp");
  writeFileSync(old, "{");
  const hourAgo = (Date.now() - 2 * 3_600_000) / 1000;
  utimesSync(old, hourAgo, hourAgo);
  writeFileSync(join(dir, ".latest-scan.json.124.beef.tmp"), "{");
  writeFileSync(join(dir, "audit-20000101T000000Z.json"), "{}");
  const removed = applyRetention(dir, new Date(), 30);
  assert.deepEqual(removed.map((r) => r.reason).sort(), ["expired", "stale-temp"]);
  assert.deepEqual(readdirSync(dir), [".latest-scan.json.124.beef.tmp"]);
});

test("with output.html the audit's HTML report shows what changed since the previous audit", () => {
  const dir = tmp();
  const file = writeAuditHtml(
    dir,
    report("2026-11-24T02:00:00Z", "FAIL"),
    report("2026-11-24T01:00:00Z", "PASS"),
    new Date("2026-11-24T02:00:01Z"),
  );
  assert.equal(file, join(dir, "latest-audit.html"));
  const html = readFileSync(file, "utf8");
  assert.match(html, /<div id="new-fail"><h3>New FAIL \(1\)<\/h3>/);
  assert.match(html, /Since the baseline of 2026-11-24T01:00:00Z/);
});
