import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLogKey, startAfterFor } from "../../src/logs/s3-layout.ts";
import { ctKey } from "./support.ts";

describe("CloudTrail's S3 key layout", () => {
  it("parses keys with a prefix and an organization level", () => {
    const key = ctKey(
      "111111111111",
      "eu-west-1",
      new Date("2026-11-20T10:05:00Z"),
      "Ab12",
      "p/AWSLogs/o-abcdef1234/",
    );
    assert.deepEqual(parseLogKey(key), {
      folder: "p/AWSLogs/o-abcdef1234/111111111111/CloudTrail/eu-west-1/",
      account: "111111111111",
      region: "eu-west-1",
      kind: "CloudTrail",
    });
  });

  it("does not take other objects for log files", () => {
    assert.equal(parseLogKey("AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/readme.txt"), undefined);
    assert.equal(parseLogKey("AWSLogs/111111111111/other/x.json.gz"), undefined);
  });

  it("places the look-back StartAfter between earlier and later deliveries", () => {
    const t = new Date("2026-11-20T10:05:00Z");
    const folder = "AWSLogs/111111111111/CloudTrail/us-east-1/";
    const start = startAfterFor(folder, t);
    assert.ok(ctKey("111111111111", "us-east-1", new Date("2026-11-20T10:04:00Z"), "zz") < start);
    assert.ok(ctKey("111111111111", "us-east-1", t, "00") > start);
    assert.ok(ctKey("111111111111", "us-east-1", new Date("2026-11-21T00:00:00Z"), "00") > start);
  });
});
