import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checks, judge } from "../../src/audit/checks/index.ts";
import { A, account, B, inventory, POLICY, trail } from "./inventory-fixtures.ts";

describe("judging an inventory", () => {
  it("registers the six contract checks", () => {
    for (const id of [
      "trail-coverage",
      "trail-logging",
      "trail-encryption",
      "trail-sns",
      "global-events-single",
      "log-file-validation",
    ])
      assert.ok(
        checks.some((c) => c.id === id),
        id,
      );
  });

  it("gives identical findings for the same inventory, whatever order its accounts come in", () => {
    const a = account(A, { "us-east-1": [trail(A, "main")], "eu-west-1": [trail(A, "main")] });
    const b = account(B, { "us-east-1": [trail(B, "x", { status: { isLogging: false } })] });
    const first = judge(inventory(a, b), POLICY);
    const second = judge(inventory(b, a), POLICY);
    assert.deepEqual(second, first);
    assert.ok(first.length > 0);
  });

  it("reports ERROR when the organization's accounts could not be listed", () => {
    const inv = inventory();
    inv.callerAccountId = A;
    inv.errors.push({
      service: "organizations",
      operation: "ListAccounts",
      code: "AccessDeniedException",
      message: "no",
      region: "us-east-1",
    });
    const [f] = judge(inv, POLICY);
    assert.equal(f.check, "account-discovery");
    assert.equal(f.status, "ERROR");
    assert.equal(f.accountId, A);
  });
});
