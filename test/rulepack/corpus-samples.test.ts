// The shipped rules on real CloudTrail logs nobody on the team wrote (../shared/corpus, Stratus Red
// Team simulations). The detections of the precise rules were checked by hand against the records.
import assert from "node:assert/strict";
import { test } from "node:test";
import { corpusSkip } from "../support/corpus.ts";
import { CORPUS_SAMPLES_DIR, detectionsByRuleFile, filesUnder, recordsOf } from "./support.ts";

const skip = corpusSkip("cloudtrail-samples/invictus-aws-dataset");
const records = () =>
  filesUnder(CORPUS_SAMPLES_DIR)
    .filter((f) => f.endsWith(".json"))
    .flatMap(recordsOf);

test(
  "the tampering rules fire on exactly the Stratus tampering events of the samples",
  { skip },
  async () => {
    const d = await detectionsByRuleFile(records());
    // three StopLogging attempts, all on a trail already gone (TrailNotFoundException): attempts count
    assert.deepEqual(d.get("aws_cloudtrail_trail_logging_stopped.yml"), [
      "StopLogging:f6e10706-705c-47f2-94d4-112a9527ab8b",
      "StopLogging:9790ee84-ed2b-4866-83d1-f32af0dd4cd2",
      "StopLogging:b4610d54-efe9-40b0-b9f9-71156081d520",
    ]);
    assert.deepEqual(d.get("aws_cloudtrail_trail_deleted.yml"), [
      "DeleteTrail:b7e19efd-92be-4182-bbbc-b6468296710b",
      "DeleteTrail:fcec2e46-3cc3-4ac2-8144-3674f06990e4",
      "DeleteTrail:c0057a42-1625-4b1d-9db5-352f931f790a",
    ]);
    // ReadOnly selector with includeManagementEvents false; the other PutEventSelectors (All, true) stays quiet
    assert.deepEqual(d.get("aws_cloudtrail_management_events_excluded.yml"), [
      "PutEventSelectors:076e96d5-2983-473f-920a-2fc2d7e02777",
    ]);
    // the two trail buckets' policies (granting cloudtrail.amazonaws.com); the backdoor policy on a
    // non-log bucket (d58cf935-...) is left to the CIS S3 rule
    assert.deepEqual(d.get("aws_cloudtrail_log_bucket_policy_or_lifecycle_change.yml"), [
      "PutBucketPolicy:988f1043-3e3d-4d84-803b-1b4d00e0df90",
      "PutBucketPolicy:dfcc072b-da6e-454c-b4bf-f7fbf9052e00",
    ]);
    assert.deepEqual(d.get("aws_cloudtrail_trail_weakened.yml"), []);
    assert.deepEqual(d.get("aws_cloudtrail_sns_topic_policy_change.yml"), []);
  },
);

test(
  "the MFA rule fires on the IAM user's sign-in without MFA, not on the one with MFA",
  { skip },
  async () => {
    const d = await detectionsByRuleFile(records());
    assert.deepEqual(d.get("aws_cloudtrail_console_login_without_mfa.yml"), [
      "ConsoleLogin:70e5932e-9022-4b38-837e-ca10dad94eb7",
    ]);
    assert.deepEqual(d.get("aws_cloudtrail_root_account_usage.yml"), []);
  },
);

test("each shipped rule gives a known number of detections on the samples", { skip }, async () => {
  const d = await detectionsByRuleFile(records());
  const counts = Object.fromEntries([...d].map(([file, hits]) => [file, hits.length]));
  assert.deepEqual(counts, {
    "aws_cloudtrail_config_change.yml": 0,
    "aws_cloudtrail_console_login_failure.yml": 0,
    "aws_cloudtrail_console_login_without_mfa.yml": 1,
    "aws_cloudtrail_iam_policy_change.yml": 26,
    // Building blocks of a correlation: no detections of their own
    "aws_cloudtrail_iam_user_persistence.yml": 0,
    "aws_cloudtrail_kms_key_disabled_or_scheduled_for_deletion.yml": 0,
    "aws_cloudtrail_log_bucket_policy_or_lifecycle_change.yml": 2,
    "aws_cloudtrail_logging_tamper_chain.yml": 0,
    "aws_cloudtrail_management_events_excluded.yml": 1,
    "aws_cloudtrail_network_acl_change.yml": 0,
    "aws_cloudtrail_network_gateway_change.yml": 15,
    "aws_cloudtrail_organizations_change.yml": 0,
    "aws_cloudtrail_root_account_usage.yml": 0,
    "aws_cloudtrail_route_table_change.yml": 40,
    "aws_cloudtrail_s3_bucket_encryption_deleted.yml": 0,
    "aws_cloudtrail_s3_bucket_policy_change.yml": 6,
    "aws_cloudtrail_security_group_change.yml": 7,
    "aws_cloudtrail_sns_topic_policy_change.yml": 0,
    // CreateTrail x2, DeleteTrail x2 and StartLogging x2 that succeeded; the failed StopLogging,
    // StartLogging and DeleteTrail attempts are not configuration changes
    "aws_cloudtrail_trail_configuration_change.yml": 6,
    "aws_cloudtrail_trail_deleted.yml": 3,
    "aws_cloudtrail_trail_logging_stopped.yml": 3,
    "aws_cloudtrail_trail_weakened.yml": 0,
    // Client.UnauthorizedOperation (GetPasswordData, DescribeInstanceAttribute) and AccessDenied
    // (AssumeRole, Cost Explorer, LeaveOrganization) from the simulated attacker
    "aws_cloudtrail_unauthorized_api_call.yml": 60,
    "aws_cloudtrail_vpc_change.yml": 13,
  });
});
