import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectionId, principalOf, toDetection } from "../../src/logs/detection.ts";
import { record, STOP_LOGGING } from "./support.ts";

describe("detections", () => {
  it("derive their id from the rule id and the eventID only", () => {
    const a = toDetection(STOP_LOGGING, record("e1", "StopLogging"), "s3://a/1");
    const b = toDetection(STOP_LOGGING, record("e1", "StopLogging", { eventTime: "x" }), "s3://b/2");
    assert.equal(a.id, b.id);
    assert.equal(a.id, detectionId(STOP_LOGGING.id, "e1"));
    assert.notEqual(a.id, detectionId("other-rule", "e1"));
  });

  it("carry the record's fields and the log file", () => {
    const d = toDetection(STOP_LOGGING, record("e1", "StopLogging"), "s3://a/1");
    assert.equal(d.principal, "arn:aws:iam::111111111111:user/alice");
    assert.equal(d.eventName, "StopLogging");
    assert.equal(d.logFile, "s3://a/1");
    assert.deepEqual(d.tags, ["cis.3.5"]);
  });

  it("name the best available principal when userIdentity has no arn", () => {
    assert.equal(
      principalOf({
        userIdentity: {
          type: "AssumedRole",
          sessionContext: { sessionIssuer: { arn: "arn:aws:iam::1:role/r" } },
        },
      }),
      "arn:aws:iam::1:role/r",
    );
    assert.equal(
      principalOf({ userIdentity: { type: "AWSService", invokedBy: "ec2.amazonaws.com" } }),
      "ec2.amazonaws.com",
    );
    assert.equal(principalOf({}), "unknown");
  });
});
