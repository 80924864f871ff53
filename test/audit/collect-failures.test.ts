// Collection through the real SDK clients against the local test endpoint: collecting when AWS fails.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { A, B, SEC, statusOf } from "./collect-support.ts";

describe("collecting when AWS fails", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  beforeEach(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC);
  });
  afterEach(() => ep.stop());

  it("reports ERROR for a denied account while the other accounts are still audited", async () => {
    w.account(A).account(B);
    w.goodTrail(A);
    w.goodTrail(B);
    ep.faults.add({ kind: "deny", service: "cloudtrail", accountId: B });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }, { id: B }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-coverage", A, "us-east-1"), "PASS");
    const denied = findings.filter((f) => f.accountId === B);
    assert.ok(denied.length >= 3);
    for (const f of denied) assert.equal(f.status, "ERROR", f.message);
    assert.match(denied[0].message, /service control policy/);
  });

  it("reports ERROR for the one region a policy denies and judges the others", async () => {
    w.account(A);
    w.goodTrail(A);
    ep.faults.add({ kind: "deny", service: "cloudtrail", accountId: A, region: "eu-west-1" });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-coverage", A, "eu-west-1"), "ERROR");
    assert.equal(statusOf(findings, "trail-coverage", A, "us-east-1"), "PASS");
  });

  it("reports ERROR for an account whose role cannot be assumed", async () => {
    w.account(A);
    ep.world.account(A).roles.clear();
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    assert.ok(findings.length > 0);
    for (const f of findings) assert.equal(f.status, "ERROR");
    assert.match(findings[0].message, /sts:AssumeRole .*access denied/);
  });

  it("reports ERROR naming throttling when a call is still throttled after its retries", async () => {
    w.account(A);
    w.goodTrail(A);
    ep.faults.add({ kind: "throttle", operation: "GetTrailStatus" });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC, { maxAttempts: 2 }),
    });
    const logging = findings.find((f) => f.check === "trail-logging")!;
    assert.equal(logging.status, "ERROR");
    assert.match(logging.message, /throttled beyond the SDK's retries \(ThrottlingException/);
    assert.equal(ep.count({ operation: "GetTrailStatus" }), 2);
  });

  it("rides out transient server errors with the SDK's retries", async () => {
    w.account(A);
    w.goodTrail(A);
    ep.faults.add({ kind: "server-error", service: "cloudtrail", times: 3 });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    assert.ok(findings.length > 0);
    for (const f of findings) assert.equal(f.status, "PASS", f.message);
    assert.equal(ep.calls.filter((c) => c.status === 500).length, 3);
  });

  it("leaves no unhandled rejection when aborted while a trail's status is being read", async () => {
    w.account(A);
    w.goodTrail(A);
    ep.faults.add({ kind: "latency", operation: "DescribeTrails", region: "eu-west-1", ms: 400 });
    ep.faults.add({ kind: "latency", operation: "GetTrailStatus", ms: 400 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const controller = new AbortController();
    const run = runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
      signal: controller.signal,
    });
    // Abort once us-east-1 has answered and the status read is under way.
    while (ep.count({ operation: "GetTrailStatus" }) === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("shutdown"));
    await assert.rejects(run, /shutdown/);
    await new Promise((r) => setTimeout(r, 50));
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(unhandled, []);
  });

  it("stops when aborted", async () => {
    w.account(A);
    w.goodTrail(A);
    ep.faults.latencyMs = 200;
    const controller = new AbortController();
    const run = runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("shutdown")), 50);
    await assert.rejects(run, /shutdown/);
  });
});
