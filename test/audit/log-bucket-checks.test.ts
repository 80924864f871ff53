import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logBucketAccessLogging } from "../../src/audit/checks/log-bucket-access-logging.ts";
import { logBucketDeletionProtection } from "../../src/audit/checks/log-bucket-deletion-protection.ts";
import { logBucketPublic } from "../../src/audit/checks/log-bucket-public.ts";
import { logBucketTamperAccess } from "../../src/audit/checks/log-bucket-tamper-access.ts";
import type { Check } from "../../src/audit/finding.ts";
import type { AccountInventory, LogBucketRecord } from "../../src/audit/inventory.ts";
import { A, account, B, inventory, POLICY, trail } from "./inventory-fixtures.ts";
import { allowAll, doc, iam, logBucket, role } from "./tamper-fixtures.ts";

const BUCKET = "main-logs";

function judge(
  check: Check,
  bucket: Partial<LogBucketRecord>,
  over: Partial<AccountInventory> = {},
  policy = POLICY,
) {
  const acc = account(
    A,
    { "us-east-1": [trail(A, "main")] },
    { iam: iam(), publicAccessBlock: null, ...over },
  );
  const inv = inventory(acc);
  inv.logBuckets = [logBucket(BUCKET, A, bucket)];
  const out = check.run(inv, policy);
  assert.equal(out.length, 1);
  return out[0];
}

const bucketPolicy = (...statements: object[]) => ({
  value: { name: "bucket policy", document: doc(...statements) },
});
const PAB_OFF = { value: null };

describe("log-bucket-tamper-access", () => {
  it("passes a bucket only CloudTrail writes to", () => {
    const f = judge(logBucketTamperAccess, {
      policy: bucketPolicy({
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*`,
      }),
    });
    assert.equal(f.status, "PASS", f.message);
    assert.equal(f.resource, `arn:aws:s3:::${BUCKET}`);
  });

  it("fails when the bucket policy grants s3:DeleteObject to *", () => {
    const f = judge(logBucketTamperAccess, {
      policy: bucketPolicy({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:DeleteObject",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      }),
    });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /anyone \(\*\) \(DeleteObject\)/);
  });

  it("fails naming another account the bucket policy lets change the policy", () => {
    const f = judge(logBucketTamperAccess, {
      policy: bucketPolicy({
        Effect: "Allow",
        Principal: { AWS: B },
        Action: "s3:PutBucketPolicy",
        Resource: `arn:aws:s3:::${BUCKET}`,
      }),
    });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /arn:aws:iam::222222222222:root \(PutBucketPolicy\)/);
  });

  it("fails naming an admin role of the bucket's account", () => {
    const f = judge(
      logBucketTamperAccess,
      {},
      { iam: iam({ roles: [role(A, "Admin", { admin: allowAll })] }) },
    );
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /role\/Admin \(DeleteObject, DeleteObjectVersion, PutBucketPolicy/);
  });

  it("passes an admin role when the bucket policy denies tampering to all but the break-glass role", () => {
    const f = judge(
      logBucketTamperAccess,
      {
        policy: bucketPolicy({
          Effect: "Deny",
          Principal: "*",
          Action: [
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning",
            "s3:DeleteBucket",
          ],
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
        }),
      },
      {
        iam: iam({
          roles: [role(A, "Admin", { admin: allowAll }), role(A, "BreakGlass", { admin: allowAll })],
        }),
      },
      { ...POLICY, trailAdmins: ["arn:aws:iam::*:role/BreakGlass"] },
    );
    assert.equal(f.status, "PASS", f.message);
  });

  it("is ERROR when the bucket belongs to no audited account", () => {
    const f = judge(logBucketTamperAccess, {
      accountId: undefined,
      error: {
        service: "s3",
        operation: "ListBuckets",
        code: "NotAudited",
        message: "bucket main-logs belongs to no audited account",
      },
    });
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /no audited account/);
  });

  it("is ERROR when the bucket policy could not be read", () => {
    const f = judge(logBucketTamperAccess, {
      policy: {
        error: {
          service: "s3",
          operation: "GetBucketPolicy",
          code: "AccessDenied",
          message: "Access Denied",
        },
      },
    });
    assert.equal(f.status, "ERROR");
  });
});

describe("log-bucket-public", () => {
  it("fails a policy grant to * when Block Public Access is off", () => {
    const f = judge(logBucketPublic, {
      publicAccessBlock: PAB_OFF,
      policy: bucketPolicy({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:DeleteObject",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      }),
    });
    assert.equal(f.status, "FAIL");
  });

  it("passes the same grant when the account's Block Public Access restricts public buckets", () => {
    const f = judge(
      logBucketPublic,
      {
        publicAccessBlock: PAB_OFF,
        acl: { error: { service: "s3", operation: "GetBucketAcl", code: "AccessDenied", message: "x" } },
        policy: bucketPolicy({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        }),
      },
      {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    );
    assert.equal(f.status, "PASS", f.message);
  });

  it("passes a * grant pinned by aws:SourceAccount", () => {
    const f = judge(logBucketPublic, {
      publicAccessBlock: PAB_OFF,
      policy: bucketPolicy({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEquals: { "aws:SourceAccount": A } },
      }),
    });
    assert.equal(f.status, "PASS", f.message);
  });

  it("fails an ACL grant to AllUsers", () => {
    const f = judge(logBucketPublic, {
      publicAccessBlock: PAB_OFF,
      acl: {
        value: {
          grants: [{ grantee: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" }],
        },
      },
    });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /READ to AllUsers/);
  });

  it("is ERROR when there is a public grant and Block Public Access cannot be read", () => {
    const f = judge(logBucketPublic, {
      publicAccessBlock: {
        error: { service: "s3", operation: "GetPublicAccessBlock", code: "AccessDenied", message: "x" },
      },
      acl: {
        value: {
          grants: [
            { grantee: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", permission: "WRITE" },
          ],
        },
      },
    });
    assert.equal(f.status, "ERROR");
  });
});

describe("log-bucket-access-logging", () => {
  it("passes with a logging target", () => assert.equal(judge(logBucketAccessLogging, {}).status, "PASS"));
  it("fails with logging off", () =>
    assert.equal(judge(logBucketAccessLogging, { logging: { value: null } }).status, "FAIL"));
  it("is ERROR when GetBucketLogging failed", () =>
    assert.equal(
      judge(logBucketAccessLogging, {
        logging: {
          error: { service: "s3", operation: "GetBucketLogging", code: "AccessDenied", message: "x" },
        },
      }).status,
      "ERROR",
    ));
});

describe("log-bucket-deletion-protection", () => {
  it("passes Object Lock with a default retention", () =>
    assert.equal(judge(logBucketDeletionProtection, {}).status, "PASS"));

  it("passes versioning with MFA Delete", () =>
    assert.equal(
      judge(logBucketDeletionProtection, {
        objectLock: { value: null },
        versioning: { value: { status: "Enabled", mfaDelete: "Enabled" } },
      }).status,
      "PASS",
    ));

  it("fails versioning without MFA Delete and says what a lifecycle rule expires", () => {
    const f = judge(logBucketDeletionProtection, {
      objectLock: { value: null },
      lifecycle: { value: [{ id: "purge", status: "Enabled", expirationDays: 30 }] },
    });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /versioning without MFA Delete.*purge after 30 days/);
  });

  it("fails Object Lock without a default retention", () =>
    assert.equal(
      judge(logBucketDeletionProtection, {
        objectLock: { value: { enabled: true } },
        versioning: { value: {} },
      }).status,
      "FAIL",
    ));

  it("is ERROR when Object Lock could not be read and versioning does not settle it", () =>
    assert.equal(
      judge(logBucketDeletionProtection, {
        objectLock: {
          error: {
            service: "s3",
            operation: "GetObjectLockConfiguration",
            code: "AccessDenied",
            message: "x",
          },
        },
      }).status,
      "ERROR",
    ));
});
