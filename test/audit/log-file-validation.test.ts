import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logFileValidation } from "../../src/audit/checks/log-file-validation.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";

const judge = (enabled: boolean, policy = POLICY) =>
  logFileValidation.run(
    inventory(account(A, { "us-east-1": [trail(A, "main", { logFileValidationEnabled: enabled })] })),
    policy,
  )[0];

describe("log-file-validation", () => {
  it("passes a trail with validation enabled", () => {
    assert.equal(judge(true).status, "PASS");
  });

  it("fails a trail with validation disabled", () => {
    const f = judge(false);
    assert.equal(f.status, "FAIL");
    assert.deepEqual(f.compliance, ["CIS-AWS-7.0:4.2", "CIS-AWS-5.0:4.2", "AWS-FSBP:CloudTrail.4"]);
  });

  it("passes a trail with validation disabled when the policy does not require it", () => {
    assert.equal(judge(false, { ...POLICY, requireLogFileValidation: false }).status, "PASS");
  });

  it("claims no validation control for a PASS that the policy merely allows", () => {
    assert.equal(judge(false, { ...POLICY, requireLogFileValidation: false }).compliance, undefined);
  });
});
