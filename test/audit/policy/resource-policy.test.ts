// Bucket policies: who they grant tamper actions to, and when a grant to `*` is public.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePolicy } from "../../../src/audit/policy/document.ts";
import { evaluateIdentity } from "../../../src/audit/policy/evaluate.ts";
import {
  callerOf,
  grantsTo,
  publicStatements,
  resourcePolicyGrants,
} from "../../../src/audit/policy/resource-policy.ts";

const B = "arn:aws:s3:::logs";
const OBJ = "arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/us-east-1/f.json.gz";
const bucketPolicy = (...Statement: object[]) =>
  parsePolicy("bucket policy", { Version: "2012-10-17", Statement });
const cloudTrailWrite = {
  Sid: "AWSCloudTrailWrite",
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action: "s3:PutObject",
  Resource: `${B}/AWSLogs/*`,
  Condition: {
    StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "111111111111" },
  },
};

test("s3:DeleteObject granted to * is a grant to anyone and a public statement", () => {
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:DeleteObject",
    Resource: `${B}/*`,
  });
  const grants = resourcePolicyGrants(doc, ["s3:DeleteObject"], [B, OBJ]);
  assert.deepEqual(
    grants.map((g) => [g.caller.arn, g.action]),
    [["*", "s3:DeleteObject"]],
  );
  assert.equal(publicStatements(doc).length, 1);
});

test("CloudTrail's own PutObject grant is neither tampering nor public", () => {
  const doc = bucketPolicy(cloudTrailWrite);
  assert.deepEqual(resourcePolicyGrants(doc, ["s3:DeleteObject", "s3:PutBucketPolicy"], [B, OBJ]), []);
  assert.deepEqual(publicStatements(doc), []);
});

test("a grant to * restricted by aws:PrincipalOrgID is not public", () => {
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: "s3:GetObject",
    Resource: `${B}/*`,
    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
  });
  assert.deepEqual(publicStatements(doc), []);
});

test("a grant to * with a wildcard aws:SourceArn is still public", () => {
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: `${B}/*`,
    Condition: { ArnLike: { "aws:SourceArn": "*" } },
  });
  assert.equal(publicStatements(doc).length, 1);
});

test("a grant to * with a StringNotEquals condition is still public", () => {
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: `${B}/*`,
    Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1" } },
  });
  assert.equal(publicStatements(doc).length, 1);
});

test("a grant to another account's root names that account", () => {
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: { AWS: "222222222222" },
    Action: "s3:*",
    Resource: [B, `${B}/*`],
  });
  const grants = resourcePolicyGrants(doc, ["s3:DeleteBucket"], [B]);
  assert.deepEqual(
    grants.map((g) => g.caller.arn),
    ["arn:aws:iam::222222222222:root"],
  );
});

test("a Deny to * except a break-glass role removes every other grant", () => {
  const doc = bucketPolicy(
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111111111111:role/Ops" },
      Action: "s3:DeleteObject",
      Resource: `${B}/*`,
    },
    {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:DeleteObject",
      Resource: `${B}/*`,
      Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/BreakGlass" } },
    },
  );
  assert.deepEqual(resourcePolicyGrants(doc, ["s3:DeleteObject"], [OBJ]), []);
});

test("a same-account role named by the bucket policy may delete without any identity policy", () => {
  const ops = callerOf("AWS", "arn:aws:iam::111111111111:role/Ops");
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: { AWS: ops.arn },
    Action: "s3:DeleteObject",
    Resource: `${B}/*`,
  });
  const principal = {
    arn: ops.arn,
    accountId: "111111111111",
    kind: "role" as const,
    tags: {},
    policies: [],
    unreadable: [],
  };
  assert.equal(
    evaluateIdentity(principal, "s3:DeleteObject", OBJ, undefined, grantsTo(doc, ops)).allowed,
    true,
  );
});

test("a grant to the account root alone does not let a role of that account delete", () => {
  const ops = callerOf("AWS", "arn:aws:iam::111111111111:role/Ops");
  const doc = bucketPolicy({
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111111111111:root" },
    Action: "s3:*",
    Resource: `${B}/*`,
  });
  const principal = {
    arn: ops.arn,
    accountId: "111111111111",
    kind: "role" as const,
    tags: {},
    policies: [],
    unreadable: [],
  };
  assert.equal(
    evaluateIdentity(principal, "s3:DeleteObject", OBJ, undefined, grantsTo(doc, ops)).allowed,
    false,
  );
});

test("a bucket policy Deny overrides a role's identity Allow", () => {
  const ops = callerOf("AWS", "arn:aws:iam::111111111111:role/Ops");
  const doc = bucketPolicy({ Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: `${B}/*` });
  const admin = parsePolicy("admin", { Statement: { Effect: "Allow", Action: "*", Resource: "*" } });
  const principal = {
    arn: ops.arn,
    accountId: "111111111111",
    kind: "role" as const,
    tags: {},
    policies: [admin],
    unreadable: [],
  };
  assert.equal(
    evaluateIdentity(principal, "s3:DeleteObject", OBJ, undefined, grantsTo(doc, ops)).allowed,
    false,
  );
});
