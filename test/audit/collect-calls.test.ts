// Collection through the real SDK clients against the local test endpoint: what collection calls, and through whom.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { A, B, MGMT, SEC, statusOf } from "./collect-support.ts";

describe("what collection calls, and through whom", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  beforeEach(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC);
  });
  afterEach(() => ep.stop());

  it("reads each trail's status once and event selectors only for custom selectors on its owner's side", async () => {
    w.account(MGMT).account(A);
    w.organization(MGMT, [A]);
    w.trail(MGMT, {
      name: "org",
      multiRegion: true,
      organization: true,
      eventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
    });
    w.goodTrail(A, "own");
    const regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"];
    await runAudit({
      config: w.config({ accounts: [{ id: A }, { id: MGMT }], regions }),
      clients: w.baseClients(SEC),
    });
    // A sees two trails, its own and the organization's; the organization trail's status is read
    // once, by its owner MGMT, which is audited too.
    assert.equal(ep.count({ operation: "GetTrailStatus", accountId: A }), 1);
    assert.equal(ep.count({ operation: "GetTrailStatus", accountId: MGMT }), 1);
    assert.equal(ep.count({ operation: "GetEventSelectors", accountId: A }), 0);
    assert.equal(ep.count({ operation: "GetEventSelectors", accountId: MGMT }), 1);
    assert.equal(ep.calls.filter((c) => c.code === "CloudTrailARNInvalidException").length, 0);
    assert.equal(ep.count({ operation: "DescribeTrails" }), 8);
    // The organization trail's bucket is read once, by its owner; A's own trail has a KMS key.
    assert.equal(ep.count({ operation: "GetBucketEncryption", accountId: MGMT }), 1);
    assert.equal(ep.count({ operation: "GetBucketEncryption", accountId: A }), 0);
  });

  it("judges an organization trail from a member account without calling APIs AWS refuses there", async () => {
    w.account(MGMT).account(A);
    w.organization(MGMT, [A]);
    w.trail(MGMT, { name: "org", multiRegion: true, organization: true, bucket: "org-logs" });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-coverage", A, "eu-west-1"), "PASS");
    assert.equal(statusOf(findings, "trail-logging", A), "PASS");
    // The bucket lives in the management account and the member cannot read it.
    assert.equal(statusOf(findings, "trail-encryption", A), "ERROR");
    assert.equal(ep.calls.filter((c) => c.code === "CloudTrailARNInvalidException").length, 0);
  });

  it("reports a cross-account log bucket it cannot read as ERROR and a deleted topic as FAIL", async () => {
    w.account(A).account(B);
    w.bucket("central-logs", B);
    w.trail(A, {
      name: "main",
      multiRegion: true,
      bucket: "central-logs",
      snsTopicArn: `arn:aws:sns:eu-west-1:${A}:gone`,
    });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    const enc = findings.find((f) => f.check === "trail-encryption")!;
    assert.equal(enc.status, "ERROR");
    assert.match(enc.message, /central-logs cannot be read/);
    assert.equal(statusOf(findings, "trail-sns", A), "FAIL");
    assert.equal(ep.count({ service: "sns", operation: "GetTopicAttributes", region: "eu-west-1" }), 1);
  });

  it("reads a topic in another audited account with that account's own access", async () => {
    w.account(A).account(B);
    const central = `arn:aws:sns:us-east-1:${B}:security-alerts`;
    w.topic(central); // its policy allows nobody else to read it
    w.trail(A, { name: "main", multiRegion: true, snsTopicArn: central });
    w.trail(B, { name: "own", multiRegion: true, snsTopicArn: central });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }, { id: B }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-sns", A), "PASS");
    // B read it for its own trail; A reused that answer instead of asking again.
    assert.equal(ep.count({ operation: "GetTopicAttributes" }), 1);
    assert.equal(ep.count({ operation: "GetTopicAttributes", accountId: B }), 1);
  });

  it("reports ERROR for a topic in an account that is not audited and does not let the trail's account read it", async () => {
    w.account(A).account(B);
    const central = `arn:aws:sns:us-east-1:${B}:security-alerts`;
    w.topic(central);
    w.trail(A, { name: "main", multiRegion: true, snsTopicArn: central });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    const sns = findings.find((f) => f.check === "trail-sns")!;
    assert.equal(sns.status, "ERROR");
    assert.match(sns.message, /AuthorizationError/);
  });

  it("reads a topic through its audited owner even when no trail of the owner names it", async () => {
    w.account(A).account(B);
    const central = `arn:aws:sns:eu-west-1:${B}:security-alerts`;
    w.topic(central);
    w.trail(A, { name: "main", multiRegion: true, snsTopicArn: central });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }, { id: B }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-sns", A), "PASS");
    assert.equal(ep.count({ operation: "GetTopicAttributes", accountId: B, region: "eu-west-1" }), 1);
    assert.equal(ep.count({ operation: "AssumeRole" }), 2);
  });

  it("reports a deleted log bucket as FAIL", async () => {
    w.account(A);
    w.trail(A, { name: "main", multiRegion: true, bucket: "deleted-logs", createBucket: false });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-encryption", A), "FAIL");
    assert.equal(statusOf(findings, "trail-logging", A), "FAIL");
  });
});
