// Waivers: accepted FAIL findings become WAIVED; expired waivers stop applying and are reported.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Finding } from "../../src/audit/finding.ts";
import { runAudit } from "../../src/audit/run.ts";
import { applyWaivers } from "../../src/audit/waivers.ts";
import { parseConfig } from "../../src/config/load.ts";
import { auditExitCode, auditSummaryLine, buildAuditReport } from "../../src/report/audit-report.ts";

const DEMO = new URL("../../demo/inventory.json", import.meta.url).pathname;
const NOW = new Date("2026-11-20T12:00:00Z");

const fail = (over: Partial<Finding> = {}): Finding => ({
  check: "log-bucket-access-logging",
  status: "FAIL",
  severity: "medium",
  accountId: "210987654321",
  resource: "arn:aws:s3:::prod-payments-audit-logs",
  message: "logging off",
  remediation: "turn it on",
  ...over,
});

describe("waivers", () => {
  it("reports a matching FAIL as WAIVED, with the waiver", () => {
    const { findings, waivers } = applyWaivers(
      [fail()],
      [
        {
          check: "log-bucket-*",
          resource: "arn:aws:s3:::prod-*",
          reason: "ticket SEC-42",
          owner: "sec-team",
          expires: "2026-12-31",
        },
      ],
      NOW,
    );
    assert.equal(findings[0].status, "WAIVED");
    assert.deepEqual(findings[0].waiver, {
      reason: "ticket SEC-42",
      owner: "sec-team",
      expires: "2026-12-31",
    });
    assert.equal(waivers[0].state, "active");
    assert.equal(waivers[0].matched, 1);
  });

  it("no longer applies an expired waiver, and reports it", () => {
    const { findings, waivers } = applyWaivers(
      [fail()],
      [{ check: "*", reason: "old exception", expires: "2026-11-19" }],
      NOW,
    );
    assert.equal(findings[0].status, "FAIL");
    assert.match(findings[0].message, /waiver for it expired 2026-11-19: old exception/);
    assert.equal(waivers[0].state, "expired");
  });

  it("keeps a waiver that expires today in force until the end of the UTC day", () => {
    const { findings } = applyWaivers([fail()], [{ check: "*", reason: "r", expires: "2026-11-20" }], NOW);
    assert.equal(findings[0].status, "WAIVED");
  });

  it("never waives an ERROR: an unknown stays unknown", () => {
    const { findings } = applyWaivers([fail({ status: "ERROR" })], [{ check: "*", reason: "r" }], NOW);
    assert.equal(findings[0].status, "ERROR");
  });

  it("matches account and region globs and leaves other findings alone", () => {
    const { findings } = applyWaivers(
      [fail(), fail({ accountId: "111111111111" })],
      [{ check: "*", account: "2109*", reason: "r" }],
      NOW,
    );
    assert.deepEqual(
      findings.map((f) => f.status),
      ["WAIVED", "FAIL"],
    );
  });

  it("exits 0 when every FAIL is waived, and the summary counts WAIVED", async () => {
    const config = parseConfig(
      "regions: [us-east-1]\nwaivers:\n  - check: '*'\n    reason: accepted for the demo\n",
      "cfg.yaml",
      process.cwd(),
    );
    const result = await runAudit({ config, inventoryFile: DEMO, now: NOW });
    const report = buildAuditReport(result, NOW);
    assert.equal(report.summary.byStatus.FAIL, 0);
    assert.ok(report.summary.byStatus.WAIVED > 0);
    assert.equal(auditExitCode(report), 3, "the demo's ERROR findings are not waived");
    assert.match(auditSummaryLine(report), /\d+ WAIVED/);
  });

  it("rejects a waiver without a reason, saying where", () => {
    assert.throws(
      () => parseConfig("waivers:\n  - check: trail-sns\n", "cfg.yaml", process.cwd()),
      /cfg\.yaml:2:\d+: .*reason/,
    );
  });
});
