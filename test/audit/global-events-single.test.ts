import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globalEventsSingle } from "../../src/audit/checks/global-events-single.ts";
import { A, account, inventory, MGMT, POLICY, trail } from "./inventory-fixtures.ts";

const run = (inv: ReturnType<typeof inventory>) => globalEventsSingle.run(inv, POLICY);

describe("global-events-single", () => {
  it("counts a multi-region trail once though it appears in every region", () => {
    const main = trail(A, "main");
    const [f] = run(
      inventory(account(A, { "us-east-1": [main], "eu-west-1": [main], "ap-south-1": [main] })),
    );
    assert.equal(f.status, "PASS");
    assert.equal(f.region, undefined);
  });

  it("fails two trails with global events, naming each", () => {
    const one = trail(A, "one");
    const two = trail(A, "two", { isMultiRegion: false });
    const [f] = run(inventory(account(A, { "us-east-1": [one, two], "eu-west-1": [one] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /2 logging trails/);
    assert.match(f.message, /one .*two/);
  });

  it("does not count a single-region trail outside us-east-1, since it receives no global events", () => {
    const eu = trail(A, "eu", { homeRegion: "eu-west-1", isMultiRegion: false });
    const [f] = run(inventory(account(A, { "us-east-1": [], "eu-west-1": [eu] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /IAM, STS and CloudFront activity goes unrecorded/);
    assert.match(f.message, /single-region outside us-east-1/);
  });

  it("counts a single-region trail in us-east-1", () => {
    const east = trail(A, "east", { isMultiRegion: false });
    assert.equal(run(inventory(account(A, { "us-east-1": [east] })))[0].status, "PASS");
  });

  it("counts an organization trail covering the account alongside the account's own trail", () => {
    const org = trail(A, "org", {
      arn: `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org`,
      ownerAccountId: MGMT,
      isOrganizationTrail: true,
    });
    const own = trail(A, "own");
    const [f] = run(inventory(account(A, { "us-east-1": [org, own] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /organization trail org/);
  });

  it("does not count a trail that is not logging", () => {
    const stopped = trail(A, "stopped", { status: { isLogging: false } });
    const [f] = run(inventory(account(A, { "us-east-1": [trail(A, "main"), stopped] })));
    assert.equal(f.status, "PASS");
  });

  it("reports ERROR when us-east-1 could not be listed", () => {
    const acc = account(A, { "us-east-1": [], "eu-west-1": [trail(A, "main")] });
    acc.regionViews[0].error = {
      service: "cloudtrail",
      operation: "DescribeTrails",
      code: "AccessDeniedException",
      message: "explicit deny in a service control policy",
      accountId: A,
      region: "us-east-1",
    };
    const [f] = run(inventory(acc));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /service control policy/);
  });

  it("reports ERROR when us-east-1 was not audited and the count could be short", () => {
    const [f] = run(inventory(account(A, { "eu-west-1": [trail(A, "main")] })));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /us-east-1 was not audited/);
  });

  it("reports ERROR for an account that could not be read", () => {
    const acc = account(A, {});
    acc.error = { service: "sts", operation: "AssumeRole", code: "AccessDenied", message: "no" };
    assert.equal(run(inventory(acc))[0].status, "ERROR");
  });
});
