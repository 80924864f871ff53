import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailCloudWatchLogs } from "../../src/audit/checks/trail-cloudwatch-logs.ts";
import { trailKmsKey } from "../../src/audit/checks/trail-kms-key.ts";
import { trailS3DataEvents } from "../../src/audit/checks/trail-s3-data-events.ts";
import type { KeyRecord, TrailRecord } from "../../src/audit/inventory.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";

const KEY = `arn:aws:kms:us-east-1:${A}:key/k1`;

function key(over: Partial<KeyRecord>) {
  const inv = inventory(account(A, { "us-east-1": [trail(A, "main", { kmsKeyId: KEY })] }));
  inv.keys = [{ id: KEY, accountId: A, state: "Enabled", rotation: { value: true }, ...over }];
  return trailKmsKey.run(inv, POLICY);
}

describe("trail-kms-key", () => {
  it("passes an enabled key that rotates", () => assert.equal(key({})[0].status, "PASS"));
  it("fails a key without rotation", () =>
    assert.match(key({ rotation: { value: false } })[0].message, /does not rotate/));
  it("fails a key pending deletion", () => {
    const [f] = key({ state: "PendingDeletion", rotation: undefined });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /PendingDeletion/);
  });
  it("fails a key that no longer exists", () =>
    assert.equal(key({ missing: true, state: undefined })[0].status, "FAIL"));
  it("is ERROR for a key in an account that is not audited", () =>
    assert.equal(
      key({
        accountId: undefined,
        error: { service: "kms", operation: "DescribeKey", code: "NotAudited", message: "not audited" },
      })[0].status,
      "ERROR",
    ));
  it("gives no finding for a trail without a key", () =>
    assert.deepEqual(
      trailKmsKey.run(inventory(account(A, { "us-east-1": [trail(A, "main")] })), POLICY),
      [],
    ));
});

function cwl(over: Partial<TrailRecord>, require = true) {
  return trailCloudWatchLogs.run(inventory(account(A, { "us-east-1": [trail(A, "main", over)] })), {
    ...POLICY,
    requireCloudWatchLogs: require,
  });
}
const GROUP = `arn:aws:logs:us-east-1:${A}:log-group:trail:*`;

describe("trail-cloudwatch-logs", () => {
  it("gives no finding unless policy.requireCloudWatchLogs", () => assert.deepEqual(cwl({}, false), []));
  it("fails a trail without a log group", () => assert.equal(cwl({})[0].status, "FAIL"));
  it("passes a delivery within 24 h of the inventory", () =>
    assert.equal(
      cwl({
        cloudWatchLogsLogGroupArn: GROUP,
        status: { isLogging: true, latestCloudWatchLogsDeliveryTime: "2026-11-20T11:00:00.000Z" },
      })[0].status,
      "PASS",
    ));
  it("fails a last delivery older than 24 h", () =>
    assert.match(
      cwl({
        cloudWatchLogsLogGroupArn: GROUP,
        status: { isLogging: true, latestCloudWatchLogsDeliveryTime: "2026-11-18T11:00:00.000Z" },
      })[0].message,
      /more than 24 h/,
    ));
  it("is ERROR when the trail status is unknown", () =>
    assert.equal(
      cwl({
        cloudWatchLogsLogGroupArn: GROUP,
        status: undefined,
        statusError: {
          service: "cloudtrail",
          operation: "GetTrailStatus",
          code: "AccessDeniedException",
          message: "x",
        },
      })[0].status,
      "ERROR",
    ));
});

function data(over: Partial<TrailRecord>, require = true) {
  return trailS3DataEvents.run(
    inventory(account(A, { "us-east-1": [trail(A, "main", { hasCustomEventSelectors: true, ...over })] })),
    { ...POLICY, requireS3DataEvents: require },
  );
}

describe("trail-s3-data-events", () => {
  it("gives no finding unless policy.requireS3DataEvents", () => assert.deepEqual(data({}, false), []));
  it("passes classic selectors on every bucket, read and write", () => {
    const [f] = data({
      selectors: {
        eventSelectors: [
          {
            readWriteType: "All",
            includeManagementEvents: true,
            dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }],
          },
        ],
      },
    });
    assert.equal(f.status, "PASS", f.message);
    assert.equal(f.resource, A);
  });
  it("fails write-only advanced selectors, saying read is missing", () => {
    const [f] = data({
      selectors: {
        advancedEventSelectors: [
          {
            fieldSelectors: [
              { field: "eventCategory", equals: ["Data"] },
              { field: "resources.type", equals: ["AWS::S3::Object"] },
              { field: "readOnly", equals: ["false"] },
            ],
          },
        ],
      },
    });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /read events/);
  });
  it("does not count selectors limited to one bucket", () => {
    const [f] = data({
      selectors: {
        eventSelectors: [
          {
            readWriteType: "All",
            dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3:::one-bucket/"] }],
          },
        ],
      },
    });
    assert.equal(f.status, "FAIL");
  });
  it("fails a trail on the default selectors (management events only)", () =>
    assert.equal(data({ hasCustomEventSelectors: false })[0].status, "FAIL"));
  it("is ERROR when the selectors could not be read", () =>
    assert.equal(
      data({
        selectorsError: {
          service: "cloudtrail",
          operation: "GetEventSelectors",
          code: "AccessDeniedException",
          message: "x",
        },
      })[0].status,
      "ERROR",
    ));
});
