// The audit's policy keys in the config: defaults, values, and a bad trailAdmins entry located.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/load.ts";

const parse = (text: string) => parseConfig(text, "cfg.yaml", process.cwd());

describe("policy keys of the tamper checks", () => {
  it("default to no trail administrators and neither optional check", () => {
    const { policy } = parse("regions: [us-east-1]\n");
    assert.deepEqual(
      [policy.trailAdmins, policy.requireCloudWatchLogs, policy.requireS3DataEvents],
      [[], false, false],
    );
  });

  it("read trailAdmins patterns and the two switches", () => {
    const { policy } = parse(
      "policy:\n  trailAdmins: ['arn:aws:iam::*:role/BreakGlass']\n  requireCloudWatchLogs: true\n  requireS3DataEvents: true\n",
    );
    assert.deepEqual(policy.trailAdmins, ["arn:aws:iam::*:role/BreakGlass"]);
    assert.equal(policy.requireCloudWatchLogs && policy.requireS3DataEvents, true);
  });

  it("rejects a trailAdmins entry that is not an ARN pattern, saying where", () => {
    assert.throws(
      () => parse("policy:\n  trailAdmins: [BreakGlass]\n"),
      /cfg\.yaml:2:17: "policy\.trailAdmins\.0" must match pattern/,
    );
  });
});
