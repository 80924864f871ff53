import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailRecord } from "../../src/audit/records.ts";

describe("mapping DescribeTrails entries", () => {
  it("skips an entry without a TrailARN, since a trail is keyed by its ARN", () => {
    assert.equal(trailRecord({ Name: "nameless" }, "us-east-1"), undefined);
  });

  it("takes the owner account from the ARN and the home region from the ARN when HomeRegion is missing", () => {
    const t = trailRecord(
      { TrailARN: "arn:aws:cloudtrail:eu-west-1:999999999999:trail/org", Name: "org" },
      "us-east-1",
    );
    assert.equal(t?.ownerAccountId, "999999999999");
    assert.equal(t?.homeRegion, "eu-west-1");
    assert.equal(t?.isMultiRegion, false);
  });

  it("falls back to the listing region for a malformed ARN", () => {
    assert.equal(trailRecord({ TrailARN: "not-an-arn" }, "ap-south-1")?.homeRegion, "ap-south-1");
  });
});
