// Who can tamper with trails and log buckets, and the buckets' and keys' posture, collected through
// the real SDK clients from the test endpoint (IAM, Organizations, S3, S3 Control, KMS), with faults.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Finding } from "../../src/audit/finding.ts";
import { runAudit } from "../../src/audit/run.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { iamState } from "../endpoint/services/iam.ts";
import { putKey } from "../endpoint/services/kms.ts";
import { attachScp, organizationOf } from "../endpoint/services/organizations.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { A, B, MGMT, SEC } from "./collect-support.ts";

const ADMIN = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const BREAK_GLASS = ["arn:aws:iam::*:role/BreakGlass"];
const one = (findings: Finding[], check: string, accountId?: string) => {
  const list = findings.filter((f) => f.check === check && (!accountId || f.accountId === accountId));
  assert.equal(list.length, 1, `${check}: ${list.length} findings`);
  return list[0];
};

describe("collecting tamper access and log bucket posture", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  beforeEach(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC).account(A);
  });
  afterEach(() => ep.stop());

  const audit = (policy: Parameters<AuditWorld["config"]>[0]["policy"] = {}, accounts = [{ id: A }]) =>
    runAudit({ config: w.config({ accounts, policy }), clients: w.baseClients(SEC) });

  it("passes a trail only the trail administrators can change", async () => {
    const trail = w.goodTrail(A);
    iamState(ep.world, A).roles.push({ name: "BreakGlass", inline: { admin: ADMIN } });
    const { findings } = await audit({ trailAdmins: BREAK_GLASS });
    const f = one(findings, "trail-tamper-access");
    assert.equal(f.status, "PASS", f.message);
    assert.equal(f.resource, trail);
    assert.equal(one(findings, "log-bucket-tamper-access").status, "PASS");
  });

  it("fails a trail a role with cloudtrail:* can stop, naming the role, across IAM pages", async () => {
    w.goodTrail(A);
    const state = iamState(ep.world, A);
    const policyArn = `arn:aws:iam::${A}:policy/TrailOps`;
    state.policies.set(policyArn, {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "cloudtrail:*", Resource: "*" }],
    });
    for (let i = 0; i < 1001; i++) state.roles.push({ name: `app-${String(i).padStart(4, "0")}` });
    state.roles.push({ name: "Ops", attached: [policyArn] });
    const { findings } = await audit();
    const f = one(findings, "trail-tamper-access");
    assert.equal(f.status, "FAIL");
    assert.match(
      f.message,
      /role\/Ops \(StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, PutInsightSelectors\)/,
    );
    assert.equal(ep.count({ operation: "GetAccountAuthorizationDetails", accountId: A }), 2);
  });

  it("follows a user's groups and lets a permissions boundary narrow an admin", async () => {
    w.goodTrail(A);
    const state = iamState(ep.world, A);
    const boundary = `arn:aws:iam::${A}:policy/S3Only`;
    state.policies.set(boundary, {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
    });
    state.roles.push({ name: "Bounded", inline: { admin: ADMIN }, permissionsBoundary: boundary });
    state.groups.push({
      name: "trail-ops",
      inline: {
        stop: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "cloudtrail:StopLogging", Resource: "*" }],
        },
      },
    });
    state.users.push({ name: "alice", groups: ["trail-ops"], tags: { team: "sec" } });
    const f = one((await audit()).findings, "trail-tamper-access");
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /^1 principal\(s\).*user\/alice \(StopLogging\)/);
    assert.doesNotMatch(f.message, /Bounded/);
  });

  it("names the conditions it could not resolve in the finding", async () => {
    w.goodTrail(A);
    const mfaOnly = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "cloudtrail:StopLogging",
          Resource: "*",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
      ],
    };
    iamState(ep.world, A).roles.push({ name: "Responder", inline: { "mfa-stop": mfaOnly } });
    const f = one((await audit()).findings, "trail-tamper-access");
    assert.equal(f.status, "FAIL");
    assert.match(
      f.message,
      /unresolved conditions: role\/Responder: Allow in mfa-stop counted: cannot resolve Bool aws:MultiFactorAuthPresent/,
    );
  });

  it("reports ERROR when GetAccountAuthorizationDetails is denied", async () => {
    w.goodTrail(A);
    ep.faults.add({
      kind: "deny",
      service: "iam",
      operation: "GetAccountAuthorizationDetails",
      code: "AccessDenied",
      message: "not authorized",
    });
    const { findings } = await audit();
    const f = one(findings, "trail-tamper-access");
    assert.equal(f.status, "ERROR");
    assert.deepEqual(f.error, {
      service: "iam",
      operation: "GetAccountAuthorizationDetails",
      code: "AccessDenied",
      region: "us-east-1",
      accountId: A,
    });
    assert.equal(one(findings, "log-bucket-tamper-access").status, "ERROR");
  });

  it("fails tamper access and public for a bucket policy granting s3:DeleteObject to *", async () => {
    w.bucket("open-logs", A, {
      publicAccessBlock: undefined,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:DeleteObject",
            Resource: "arn:aws:s3:::open-logs/*",
          },
        ],
      }),
    });
    w.trail(A, { name: "main", multiRegion: true, bucket: "open-logs" });
    const { findings } = await audit();
    const tamper = one(findings, "log-bucket-tamper-access");
    assert.equal(tamper.status, "FAIL");
    assert.equal(tamper.resource, "arn:aws:s3:::open-logs");
    assert.match(tamper.message, /anyone \(\*\) \(DeleteObject\)/);
    const pub = one(findings, "log-bucket-public");
    assert.equal(pub.status, "FAIL");
    assert.match(pub.message, /grants to anyone/);
  });

  it("lets account-level Block Public Access neutralise a public ACL", async () => {
    w.bucket("acl-logs", A, {
      publicAccessBlock: undefined,
      aclGrants: [{ uri: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" }],
    });
    w.trail(A, { name: "main", multiRegion: true, bucket: "acl-logs" });
    assert.equal(one((await audit()).findings, "log-bucket-public").status, "FAIL");
    ep.world.accountPublicAccessBlocks.set(A, {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(one((await audit()).findings, "log-bucket-public").status, "PASS");
  });

  it("reads versioning, Object Lock, logging and lifecycle of the log bucket", async () => {
    w.bucket("plain-logs", A, {
      logging: undefined,
      objectLock: undefined,
      versioning: { status: "Enabled" },
      lifecycle: [{ id: "purge", status: "Enabled", expirationDays: 90 }],
    });
    w.trail(A, { name: "main", multiRegion: true, bucket: "plain-logs" });
    const { findings } = await audit();
    assert.equal(one(findings, "log-bucket-access-logging").status, "FAIL");
    const del = one(findings, "log-bucket-deletion-protection");
    assert.equal(del.status, "FAIL");
    assert.match(del.message, /versioning without MFA Delete.*purge after 90 days/);
  });

  it("reports ERROR for a log bucket in an account that is not audited", async () => {
    w.account(B).bucket("central-logs", B, { allowAccounts: [A] });
    w.trail(A, { name: "main", multiRegion: true, bucket: "central-logs" });
    const { findings } = await audit();
    for (const check of [
      "log-bucket-tamper-access",
      "log-bucket-public",
      "log-bucket-access-logging",
      "log-bucket-deletion-protection",
    ]) {
      const f = one(findings, check);
      assert.equal(f.status, "ERROR", check);
      assert.match(f.message, /belongs to no audited account/);
    }
    assert.equal(ep.count({ operation: "GetBucketPolicy" }), 0);
  });

  it("reports ERROR for a bucket setting whose call fails, and PASS for none", async () => {
    w.goodTrail(A);
    ep.faults.add({
      kind: "error",
      service: "s3",
      operation: "GetBucketLogging",
      code: "AccessDenied",
      status: 403,
      message: "Access Denied",
    });
    const { findings } = await audit();
    const f = one(findings, "log-bucket-access-logging");
    assert.equal(f.status, "ERROR");
    assert.equal(f.error?.operation, "GetBucketLogging");
  });

  it("reads each log bucket, key and account once however many trails share them", async () => {
    const key = putKey(ep.world, A, { region: "us-east-1", id: "shared", state: "Enabled", rotation: true });
    w.trail(A, { name: "one", multiRegion: true, bucket: "shared-logs", kmsKeyId: key });
    w.trail(A, { name: "two", region: "eu-west-1", bucket: "shared-logs", kmsKeyId: key });
    const { findings } = await audit();
    for (const op of [
      "GetBucketPolicy",
      "GetBucketAcl",
      "GetPublicAccessBlock",
      "GetBucketLogging",
      "GetBucketVersioning",
      "GetObjectLockConfiguration",
      "GetBucketLifecycleConfiguration",
    ])
      assert.equal(ep.count({ service: "s3", operation: op }), 1, op);
    assert.equal(ep.count({ service: "s3control", operation: "GetPublicAccessBlock", accountId: A }), 1);
    assert.equal(ep.count({ service: "s3", operation: "ListBuckets", accountId: A }), 1);
    assert.equal(ep.count({ service: "kms", operation: "DescribeKey" }), 1);
    assert.equal(ep.count({ service: "kms", operation: "GetKeyRotationStatus" }), 1);
    assert.equal(findings.filter((f) => f.check === "trail-kms-key" && f.status === "PASS").length, 2);
  });

  it("fails a trail whose key is pending deletion or does not rotate", async () => {
    const pending = putKey(ep.world, A, {
      region: "us-east-1",
      id: "pending",
      state: "PendingDeletion",
      rotation: true,
    });
    const still = putKey(ep.world, A, {
      region: "us-east-1",
      id: "still",
      state: "Enabled",
      rotation: false,
    });
    w.trail(A, { name: "one", multiRegion: true, kmsKeyId: pending });
    w.trail(A, { name: "two", kmsKeyId: still });
    const { findings } = await audit();
    const byName = (n: string) =>
      findings.find((f) => f.check === "trail-kms-key" && f.resource?.endsWith(`/${n}`))!;
    assert.match(byName("one").message, /PendingDeletion/);
    assert.match(byName("two").message, /does not rotate/);
    assert.equal(byName("two").status, "FAIL");
  });

  it("reports ERROR for a key whose DescribeKey is throttled beyond the retries", async () => {
    w.goodTrail(A);
    ep.faults.add({ kind: "throttle", service: "kms" });
    const f = one((await audit()).findings, "trail-kms-key");
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /throttled/);
  });

  it("understands an SCP that denies StopLogging except to the break-glass role", async () => {
    w.account(MGMT).organization(MGMT, [A]);
    w.goodTrail(A);
    iamState(ep.world, A).roles.push(
      { name: "Ops", inline: { admin: ADMIN } },
      { name: "BreakGlass", inline: { admin: ADMIN } },
    );
    const org = organizationOf(ep.world, A)!;
    const protect = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: [
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:PutInsightSelectors",
          ],
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
        },
      ],
    };
    attachScp(org, org.rootId, "p-protect", "protect-trails", protect);
    const run = () =>
      runAudit({
        config: w.config({
          accounts: [{ id: A }],
          organization: { roleName: "TrailwardenAudit" },
          policy: { trailAdmins: BREAK_GLASS },
        }),
        clients: w.baseClients(MGMT),
      });
    const f = one((await run()).findings, "trail-tamper-access", A);
    assert.equal(f.status, "PASS", f.message);
    assert.match(f.message, /SCPs of 2 level/);
    org.attachments.set(org.rootId, ["p-FullAWSAccess"]);
    const failed = one((await run()).findings, "trail-tamper-access", A);
    assert.equal(failed.status, "FAIL");
    assert.match(failed.message, /role\/Ops/);
  });

  it("reports ERROR when someone could stop the trail unless an unreadable SCP stops them", async () => {
    w.account(MGMT).organization(MGMT, [A]);
    w.goodTrail(A);
    iamState(ep.world, A).roles.push({ name: "Ops", inline: { admin: ADMIN } });
    ep.faults.add({
      kind: "deny",
      service: "organizations",
      operation: "ListPoliciesForTarget",
      message: "not allowed",
    });
    const { findings } = await runAudit({
      config: w.config({ accounts: [{ id: A }], organization: { roleName: "TrailwardenAudit" } }),
      clients: w.baseClients(MGMT),
    });
    const f = one(findings, "trail-tamper-access", A);
    assert.equal(f.status, "ERROR");
    assert.equal(f.error?.operation, "ListPoliciesForTarget");
  });

  it("passes CloudWatch Logs delivery read from GetTrailStatus when required", async () => {
    w.goodTrail(A);
    const trails = ep.world.account(A).services.cloudtrail as {
      trails: Map<string, { cloudWatchLogsLogGroupArn?: string }>;
    };
    for (const t of trails.trails.values())
      t.cloudWatchLogsLogGroupArn = `arn:aws:logs:us-east-1:${A}:log-group:trail:*`;
    const f = one((await audit({ requireCloudWatchLogs: true })).findings, "trail-cloudwatch-logs");
    assert.equal(f.status, "PASS", f.message);
  });
});
