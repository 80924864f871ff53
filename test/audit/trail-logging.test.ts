import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailLogging } from "../../src/audit/checks/trail-logging.ts";
import { A, account, inventory, MGMT, POLICY, trail } from "./inventory-fixtures.ts";

const run = (inv: ReturnType<typeof inventory>) => trailLogging.run(inv, POLICY);

describe("trail-logging", () => {
  it("passes a logging trail without a delivery error", () => {
    const [f] = run(inventory(account(A, { "us-east-1": [trail(A, "main")] })));
    assert.equal(f.status, "PASS");
    assert.equal(f.resource, `arn:aws:cloudtrail:us-east-1:${A}:trail/main`);
  });

  it("judges a multi-region trail once, in its home region, however many regions show its shadow", () => {
    const main = trail(A, "main", { homeRegion: "eu-west-1" });
    const findings = run(
      inventory(account(A, { "us-east-1": [main], "eu-west-1": [main], "ap-south-1": [main] })),
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0].region, "eu-west-1");
  });

  it("treats an empty LatestDeliveryError as no error", () => {
    const t = trail(A, "main", { status: { isLogging: true, latestDeliveryError: "" } });
    assert.equal(run(inventory(account(A, { "us-east-1": [t] })))[0].status, "PASS");
  });

  it("fails a trail that is not logging", () => {
    const t = trail(A, "main", { status: { isLogging: false, stopLoggingTime: "2026-06-01T00:00:00.000Z" } });
    const [f] = run(inventory(account(A, { "us-east-1": [t] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /not logging since 2026-06-01/);
  });

  it("fails a trail whose latest delivery failed, quoting the error", () => {
    const t = trail(A, "main", { status: { isLogging: true, latestDeliveryError: "AccessDenied" } });
    const [f] = run(inventory(account(A, { "us-east-1": [t] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /latest delivery failed: AccessDenied/);
  });

  it("fails a trail whose log bucket was deleted", () => {
    const acc = account(A, { "us-east-1": [trail(A, "main")] });
    acc.buckets = [{ name: "main-logs", missing: true }];
    const [f] = run(inventory(acc));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /main-logs, which does not exist/);
  });

  it("reports ERROR when the trail's status could not be read", () => {
    const t = trail(A, "main", {
      status: undefined,
      statusError: {
        service: "cloudtrail",
        operation: "GetTrailStatus",
        code: "AccessDeniedException",
        message: "no",
        accountId: A,
        region: "us-east-1",
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [t] })));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /access denied/);
  });

  it("judges an organization trail once, from its owner account, when members see it too", () => {
    const orgArn = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org`;
    const owner = trail(MGMT, "org", { arn: orgArn, isOrganizationTrail: true });
    const member = { ...owner, status: { isLogging: false } };
    const findings = run(
      inventory(account(A, { "us-east-1": [member] }), account(MGMT, { "us-east-1": [owner] })),
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0].accountId, MGMT);
    assert.equal(findings[0].status, "PASS");
  });

  it("judges an organization trail seen only from a member from what GetTrailStatus told the member", () => {
    const org = trail(A, "org", {
      arn: `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org`,
      ownerAccountId: MGMT,
      isOrganizationTrail: true,
      status: { isLogging: false },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [org] })));
    assert.equal(f.accountId, A);
    assert.equal(f.status, "FAIL");
  });
});
