// The endpoint's IAM, S3 configuration reads, S3 Control, KMS and Organizations SCP calls answer as
// AWS does for the calls the audit makes, through the real SDK clients.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetAccountAuthorizationDetailsCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import {
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
} from "@aws-sdk/client-organizations";
import {
  GetBucketAclCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  ListBucketsCommand,
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand } from "@aws-sdk/client-s3-control";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import type { AwsTestEndpoint } from "./server.ts";
import { iamState } from "./services/iam.ts";
import { putKey } from "./services/kms.ts";
import { createOrganization } from "./services/organizations.ts";

const A = "111111111111";
const MGMT = "999999999999";

describe("the endpoint's posture services", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
    ep.world.addAccount(MGMT);
    createOrganization(ep.world, MGMT, [A]);
    ep.world.addBucket("plain", A, { versioning: { status: "Enabled", mfaDelete: "Enabled" } });
    ep.world.addBucket("open", A, {
      aclGrants: [{ uri: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" }],
    });
    const state = iamState(ep.world, A);
    state.policies.set(`arn:aws:iam::${A}:policy/p`, {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
    });
    for (let i = 0; i < 5; i++)
      state.roles.push({ name: `r${i}`, attached: [`arn:aws:iam::${A}:policy/p`], tags: { n: String(i) } });
  });
  after(() => ep.stop());

  it("pages GetAccountAuthorizationDetails and sends URL-encoded documents with the default version marked", async () => {
    const iam = clientsFor(ep, A).iam();
    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 4 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.RoleDetailList?.length, 4);
    assert.deepEqual(first.RoleDetailList?.[0].Tags, [{ Key: "n", Value: "0" }]);
    const second = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ MaxItems: 4, Marker: first.Marker }),
    );
    assert.equal(second.IsTruncated, false);
    const versions = second.Policies?.[0].PolicyVersionList ?? [];
    const current = versions.find((v) => v.IsDefaultVersion)!;
    assert.equal(JSON.parse(decodeURIComponent(current.Document!)).Statement[0].Effect, "Deny");
  });

  it("answers S3's own error codes for a missing policy, lifecycle and Object Lock configuration", async () => {
    const s3 = clientsFor(ep, A, { s3ForcePathStyle: true }).s3("us-east-1");
    await assert.rejects(s3.send(new GetBucketPolicyCommand({ Bucket: "plain" })), {
      name: "NoSuchBucketPolicy",
    });
    await assert.rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "plain" })), {
      name: "NoSuchLifecycleConfiguration",
    });
    await assert.rejects(s3.send(new GetObjectLockConfigurationCommand({ Bucket: "plain" })), {
      name: "ObjectLockConfigurationNotFoundError",
    });
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: "plain" }));
    assert.deepEqual([v.Status, v.MFADelete], ["Enabled", "Enabled"]);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: "open" }));
    assert.ok(acl.Grants?.some((g) => g.Grantee?.URI?.endsWith("/AllUsers") && g.Grantee.Type === "Group"));
    const listed = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      listed.Buckets?.map((b) => b.Name),
      ["open", "plain"],
    );
  });

  it("serves S3 Control's account Block Public Access only to that account", async () => {
    const control = clientsFor(ep, A).s3Control();
    await assert.rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: A })), {
      name: "NoSuchPublicAccessBlockConfiguration",
    });
    ep.world.accountPublicAccessBlocks.set(A, {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    const out = await control.send(new GetPublicAccessBlockCommand({ AccountId: A }));
    assert.equal(out.PublicAccessBlockConfiguration?.RestrictPublicBuckets, true);
    assert.equal(out.PublicAccessBlockConfiguration?.BlockPublicPolicy, false);
    await assert.rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: MGMT })), {
      name: "AccessDenied",
    });
  });

  it("describes KMS keys in their own region and refuses rotation status on a disabled key", async () => {
    const enabled = putKey(ep.world, A, { region: "eu-west-1", id: "k1", state: "Enabled", rotation: true });
    const disabled = putKey(ep.world, A, {
      region: "eu-west-1",
      id: "k2",
      state: "Disabled",
      rotation: true,
    });
    const kms = clientsFor(ep, A).kms("eu-west-1");
    assert.equal(
      (await kms.send(new DescribeKeyCommand({ KeyId: enabled }))).KeyMetadata?.KeyState,
      "Enabled",
    );
    assert.equal(
      (await kms.send(new GetKeyRotationStatusCommand({ KeyId: enabled }))).KeyRotationEnabled,
      true,
    );
    await assert.rejects(kms.send(new GetKeyRotationStatusCommand({ KeyId: disabled })), {
      name: "KMSInvalidStateException",
    });
    await assert.rejects(
      clientsFor(ep, A)
        .kms("us-east-1")
        .send(new DescribeKeyCommand({ KeyId: enabled })),
      { name: "NotFoundException" },
    );
  });

  it("answers the SCP chain to the management account and refuses members", async () => {
    const org = clientsFor(ep, MGMT).organizations();
    const parents = await org.send(new ListParentsCommand({ ChildId: A }));
    assert.equal(parents.Parents?.[0].Type, "ROOT");
    const attached = await org.send(
      new ListPoliciesForTargetCommand({ TargetId: A, Filter: "SERVICE_CONTROL_POLICY" }),
    );
    const id = attached.Policies?.[0]?.Id ?? "";
    const policy = await org.send(new DescribePolicyCommand({ PolicyId: id }));
    assert.equal(JSON.parse(policy.Policy!.Content!).Statement[0].Action, "*");
    await assert.rejects(
      clientsFor(ep, A)
        .organizations()
        .send(new ListParentsCommand({ ChildId: A })),
      { name: "AccessDeniedException" },
    );
  });
});
