// Collection through the real SDK clients against the local test endpoint: collecting accounts and regions.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { A, B, MGMT, SEC, statusOf } from "./collect-support.ts";

describe("collecting accounts and regions", () => {
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
});
