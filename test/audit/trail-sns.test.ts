import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailSns } from "../../src/audit/checks/trail-sns.ts";
import type { TopicRecord } from "../../src/audit/inventory.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";

const TOPIC = `arn:aws:sns:us-east-1:${A}:main-topic`;

function judge(topic: TopicRecord | undefined, over: Parameters<typeof trail>[2] = {}, policy = POLICY) {
  const acc = account(A, { "us-east-1": [trail(A, "main", over)] });
  acc.topics = topic ? [topic] : [];
  return trailSns.run(inventory(acc), policy)[0];
}

describe("trail-sns", () => {
  it("passes a trail notifying an existing topic without errors", () => {
    assert.equal(judge({ arn: TOPIC, exists: true }).status, "PASS");
  });

  it("fails a trail without a topic", () => {
    const f = judge(undefined, { snsTopicArn: undefined });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /has no SNS topic/);
  });

  it("passes a trail without a topic when policy.requireSns is off", () => {
    assert.equal(
      judge(undefined, { snsTopicArn: undefined }, { ...POLICY, requireSns: false }).status,
      "PASS",
    );
  });

  it("reports a deleted SNS topic as FAIL", () => {
    const f = judge({ arn: TOPIC, exists: false });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /does not exist/);
  });

  it("fails a trail whose LatestNotificationError is set, quoting it", () => {
    const f = judge(
      { arn: TOPIC, exists: true },
      { status: { isLogging: true, latestNotificationError: "AuthorizationError" } },
    );
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /fails to publish .*AuthorizationError/);
  });

  it("reports ERROR for a topic in another account that cannot be read", () => {
    const f = judge({
      arn: TOPIC,
      exists: false,
      error: {
        service: "sns",
        operation: "GetTopicAttributes",
        code: "AuthorizationError",
        message: "not authorized",
      },
    });
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /cannot be read: .*access denied/);
  });

  it("reports ERROR when the trail's status is unknown, since a publish error cannot be ruled out", () => {
    const f = judge(
      { arn: TOPIC, exists: true },
      {
        status: undefined,
        statusError: {
          service: "cloudtrail",
          operation: "GetTrailStatus",
          code: "ThrottlingException",
          message: "Rate exceeded",
        },
      },
    );
    assert.equal(f.status, "ERROR");
  });
});
