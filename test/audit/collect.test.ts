// Collection through the real SDK clients against the local test endpoint.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Finding } from "../../src/audit/finding.ts";
import { runAudit } from "../../src/audit/run.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";

const SEC = "100000000000"; // where the auditor's base credentials live
const A = "111111111111";
const B = "222222222222";
const MGMT = "999999999999";

const statusOf = (findings: Finding[], check: string, accountId: string, region?: string) =>
  findings.find(
    (f) => f.check === check && f.accountId === accountId && (region === undefined || f.region === region),
  )?.status;

describe("collecting an inventory from AWS", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  beforeEach(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC);
  });
  afterEach(() => ep.stop());

  it("audits several accounts through AssumeRole", async () => {
    w.account(A).account(B);
    w.goodTrail(A);
    w.trail(B, { name: "stopped", logging: false, multiRegion: true });
    const { findings, scope } = await runAudit({
      config: w.config({ accounts: [{ id: A }, { id: B }] }),
      clients: w.baseClients(SEC),
    });
    assert.deepEqual(scope.accounts, [A, B]);
    assert.equal(statusOf(findings, "trail-coverage", A, "eu-west-1"), "PASS");
    assert.equal(statusOf(findings, "trail-coverage", B, "eu-west-1"), "FAIL");
    assert.equal(ep.count({ service: "sts", operation: "AssumeRole" }), 2);
  });

  it("reads an account without roleArn with the base credentials when it is the caller's own", async () => {
    w.goodTrail(SEC);
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: SEC, roleArn: null }] }),
      clients: w.baseClients(SEC),
    });
    assert.equal(statusOf(findings, "trail-logging", SEC), "PASS");
    assert.equal(ep.count({ service: "sts", operation: "GetCallerIdentity" }), 1);
  });

  it("audits the caller's own account when no account and no organization is configured", async () => {
    w.goodTrail(SEC);
    const { scope, findings } = await runAudit({ config: w.config({}), clients: w.baseClients(SEC) });
    assert.deepEqual(scope.accounts, [SEC]);
    assert.equal(statusOf(findings, "trail-logging", SEC), "PASS");
  });

  it("reports ERROR, not an empty PASS, when the caller's own account cannot be identified", async () => {
    ep.faults.add({
      kind: "error",
      service: "sts",
      operation: "GetCallerIdentity",
      code: "ExpiredToken",
      message: "expired",
      status: 403,
    });
    const { findings } = await runAudit({ config: w.config({}), clients: w.baseClients(SEC) });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].check, "account-discovery");
    assert.equal(findings[0].status, "ERROR");
    assert.match(findings[0].message, /sts:GetCallerIdentity \(us-east-1\) failed: ExpiredToken/);
  });

  it("reports ERROR for an account without roleArn that is not the caller's, calling nothing in it", async () => {
    w.account(A);
    w.goodTrail(A);
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A, roleArn: null }] }),
      clients: w.baseClients(SEC),
    });
    const f = findings.find((x) => x.check === "global-events-single")!;
    assert.equal(f.status, "ERROR");
    assert.match(f.message, new RegExp(`belong to account ${SEC}, not ${A}`));
    assert.equal(ep.count({ service: "cloudtrail" }), 0);
  });

  it("discovers the organization's active accounts page by page and assumes the named role in each", async () => {
    const members = Array.from({ length: 24 }, (_, i) => String(200000000000 + i));
    w.account(MGMT);
    for (const m of members) w.account(m);
    w.organization(MGMT, members);
    const org = ep.world.account(MGMT).services.organizations as { members: Map<string, { status: string }> };
    org.members.get(members[3])!.status = "SUSPENDED";
    const { scope, inventory } = await runAudit({
      config: w.config({ organization: { roleName: "TrailwardenAudit", excludeAccounts: [members[5]] } }),
      clients: w.baseClients(MGMT),
    });
    const expected = [MGMT, ...members].filter((id) => id !== members[3] && id !== members[5]).sort();
    assert.deepEqual(scope.accounts, expected);
    assert.equal(ep.count({ service: "organizations", operation: "ListAccounts" }), 3);
    assert.equal(inventory.accountSource, "organization");
  });

  it("reports ERROR when the organization's accounts cannot be listed and still audits the configured ones", async () => {
    w.account(A);
    w.goodTrail(A);
    const { findings } = await runAudit({
      config: w.config({ organization: { roleName: "TrailwardenAudit" }, accounts: [{ id: A }] }),
      clients: w.baseClients(SEC),
    });
    const discovery = findings.find((f) => f.check === "account-discovery")!;
    assert.equal(discovery.status, "ERROR");
    assert.match(discovery.message, /AWSOrganizationsNotInUseException/);
    assert.equal(statusOf(findings, "trail-logging", A), "PASS");
  });

  it("discovers each account's enabled regions, opt-in regions included", async () => {
    w.account(A, { regions: ["us-east-1", "eu-west-1", "af-south-1"] });
    w.goodTrail(A);
    const { inventory, findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }], regions: "enabled" }),
      clients: w.baseClients(SEC),
    });
    assert.deepEqual(inventory.accounts[0].regions, ["af-south-1", "eu-west-1", "us-east-1"]);
    assert.equal(statusOf(findings, "trail-coverage", A, "af-south-1"), "PASS");
  });

  it("reports ERROR without a region for an account whose enabled regions cannot be listed", async () => {
    w.account(A);
    ep.faults.add({
      kind: "deny",
      service: "account",
      accountId: A,
      code: "AccessDeniedException",
      message: "not authorized",
    });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }], regions: "enabled" }),
      clients: w.baseClients(SEC),
    });
    const coverage = findings.filter((f) => f.check === "trail-coverage");
    assert.equal(coverage.length, 1);
    assert.equal(coverage[0].status, "ERROR");
    assert.equal(coverage[0].region, undefined);
    assert.match(coverage[0].message, /account:ListRegions .*access denied/);
  });

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
