import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailEncryption } from "../../src/audit/checks/trail-encryption.ts";
import type { BucketRecord } from "../../src/audit/inventory.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";

function judge(bucket: BucketRecord | undefined, over: Parameters<typeof trail>[2] = {}, policy = POLICY) {
  const acc = account(A, { "us-east-1": [trail(A, "main", over)] });
  acc.buckets = bucket ? [bucket] : [];
  return trailEncryption.run(inventory(acc), policy)[0];
}

describe("trail-encryption", () => {
  it("passes a trail with its own KMS key whatever the bucket says", () => {
    const f = judge(undefined, { kmsKeyId: "arn:aws:kms:us-east-1:111111111111:key/k" });
    assert.equal(f.status, "PASS");
    assert.match(f.message, /SSE-KMS/);
  });

  it("passes a trail whose bucket encrypts by default with SSE-S3", () => {
    assert.equal(judge({ name: "main-logs", encryption: { algorithm: "AES256" } }).status, "PASS");
  });

  it("fails SSE-S3 when policy.requireKms is set", () => {
    const f = judge(
      { name: "main-logs", encryption: { algorithm: "AES256" } },
      {},
      { ...POLICY, requireKms: true },
    );
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /requireKms/);
  });

  it("passes a bucket default of SSE-KMS when policy.requireKms is set", () => {
    const f = judge(
      { name: "main-logs", encryption: { algorithm: "aws:kms", kmsKeyId: "k" } },
      {},
      { ...POLICY, requireKms: true },
    );
    assert.equal(f.status, "PASS");
  });

  it("fails a bucket with no default encryption and no trail key", () => {
    assert.equal(judge({ name: "main-logs" }).status, "FAIL");
  });

  it("fails a trail whose log bucket was deleted", () => {
    const f = judge({ name: "main-logs", missing: true });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /does not exist/);
  });

  it("reports ERROR for a cross-account log bucket that cannot be read", () => {
    const f = judge({
      name: "main-logs",
      error: {
        service: "s3",
        operation: "GetBucketEncryption",
        code: "AccessDenied",
        message: "Access Denied",
        accountId: A,
        region: "us-east-1",
      },
    });
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /cannot be read .*access denied/);
    assert.equal(f.error?.operation, "GetBucketEncryption");
  });

  it("reports ERROR when the bucket was never read and the trail has no key", () => {
    assert.equal(judge(undefined).status, "ERROR");
  });
});
