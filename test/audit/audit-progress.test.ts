// The audit's progress counters, fed by a real audit against the test endpoint.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import { auditProgress } from "../../src/util/progress.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";

const SEC = "100000000000";
const ACCOUNTS = ["111111111111", "222222222222"];
const REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"];

describe("audit progress", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  before(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep);
    w.account(SEC);
    for (const id of ACCOUNTS) w.account(id);
    w.goodTrail(ACCOUNTS[0]);
  });
  after(() => ep.stop());

  it("counts accounts and regions done of total, AWS calls and failed calls", async () => {
    const denied = ep.faults.add({
      service: "cloudtrail",
      operation: "DescribeTrails",
      region: "ap-south-1",
      kind: "deny",
    });
    try {
      auditProgress.reset();
      await runAudit({
        config: w.config({ accounts: ACCOUNTS.map((id) => ({ id })), regions: REGIONS }),
        clients: w.baseClients(SEC),
      });
    } finally {
      ep.faults.rules.splice(ep.faults.rules.indexOf(denied), 1);
    }
    const p = auditProgress.snapshot();
    assert.deepEqual([p.counts.accounts, p.totals.accounts], [2, 2]);
    assert.deepEqual([p.counts.regions, p.totals.regions], [6, 6]);
    assert.ok(p.counts.calls >= 6, `calls: ${p.counts.calls}`);
    assert.equal(p.counts.errors, 2);
  });
});
