// A whole audit against the test endpoint: resilience to throttling, the report's schema, and
// judging a saved inventory.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import { validatorFor } from "../../src/config/schema.ts";
import { auditExitCode, buildAuditReport } from "../../src/report/audit-report.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";

const SEC = "100000000000";
const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"];

/** Three accounts with a mix of passing and failing set-ups. */
function mixedWorld(w: AuditWorld): void {
  w.account(SEC);
  for (const id of ACCOUNTS) w.account(id);
  w.goodTrail(ACCOUNTS[0]);
  w.trail(ACCOUNTS[1], { name: "eu-only", region: "eu-west-1", validation: false });
  w.trail(ACCOUNTS[1], {
    name: "reads",
    multiRegion: true,
    eventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }],
    notificationError: "AuthorizationError",
    snsTopicArn: `arn:aws:sns:us-east-1:${ACCOUNTS[1]}:t`,
  });
  w.topic(`arn:aws:sns:us-east-1:${ACCOUNTS[1]}:t`);
  w.goodTrail(ACCOUNTS[2], "one");
  w.goodTrail(ACCOUNTS[2], "two", "us-west-2");
}

describe("running an audit", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  beforeEach(async () => {
    ep = await startEndpoint({ seed: 7 });
    w = new AuditWorld(ep);
    mixedWorld(w);
  });
  afterEach(() => ep.stop());

  const config = () => w.config({ accounts: ACCOUNTS.map((id) => ({ id })), regions: REGIONS });
  // 0.3^12: a call failing every attempt under 30% throttling is vanishingly rare.
  const clients = () => w.baseClients(SEC, { maxAttempts: 12 });

  it("gives the same findings under 30% throttling as in a clean run", async () => {
    const clean = await runAudit({ config: config(), clients: clients() });
    const cleanCalls = ep.calls.length;
    ep.faults.add({ kind: "throttle", rate: 0.3 });
    const throttled = await runAudit({ config: config(), clients: clients() });
    const throttledCalls = ep.calls.length - cleanCalls;
    assert.ok(
      throttledCalls > cleanCalls * 1.2,
      `throttling was injected (${throttledCalls} vs ${cleanCalls} calls)`,
    );
    assert.deepEqual(throttled.findings, clean.findings);
    assert.ok(clean.findings.some((f) => f.status === "FAIL"));
  });

  it("writes a report that validates against schema/report.schema.json", async () => {
    ep.faults.add({ kind: "deny", service: "cloudtrail", accountId: ACCOUNTS[2], region: "ap-south-1" });
    const report = buildAuditReport(await runAudit({ config: config(), clients: clients() }));
    const validate = validatorFor("report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.summary.total, report.findings.length);
    assert.ok(report.summary.byStatus.ERROR > 0 && report.summary.byStatus.FAIL > 0);
    assert.equal(auditExitCode(report), 1);
  });

  it("judges a saved inventory exactly as the run that saved it, without calling AWS", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tw-inv-")), "inventory.json");
    const live = await runAudit({ config: config(), clients: clients(), saveInventory: file });
    const calls = ep.calls.length;
    const saved = await runAudit({ config: config(), inventoryFile: file });
    assert.equal(ep.calls.length, calls);
    assert.deepEqual(saved.findings, live.findings);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), live.inventory);
  });
});

describe("the audit exit status", () => {
  const report = (statuses: ("PASS" | "FAIL" | "ERROR")[]) =>
    buildAuditReport({
      scope: { accounts: [], regions: [] },
      inventory: {
        schemaVersion: 1,
        collectedAt: "2026-11-20T00:00:00.000Z",
        accountSource: "config",
        accounts: [],
        errors: [],
      },
      findings: statuses.map((status) => ({
        check: "trail-logging",
        status,
        severity: "high",
        accountId: "111111111111",
        message: "m",
        remediation: "r",
      })),
    });

  it("is 0 when every finding passes", () => assert.equal(auditExitCode(report(["PASS", "PASS"])), 0));
  it("is 1 when any finding fails, errors or not", () =>
    assert.equal(auditExitCode(report(["PASS", "ERROR", "FAIL"])), 1));
  it("is 3 when a finding is ERROR and none fails", () =>
    assert.equal(auditExitCode(report(["PASS", "ERROR"])), 3));
});
