// The events the demo's rules should catch, told as one story. A contractor's password leaks; the
// attacker signs in without MFA, probes, grants himself rights, blinds the production trail and
// opens the network. Separately, in the security account, someone uses the root user.
// Each event names the rule(s) of rules/ it is meant to trigger.
import { ADDRESSES, AGENTS, PRODUCTION, SECURITY, signInIdentity } from "./identities.mjs";
import { mfaSignIn, trailArn, trailBucket } from "./activity.mjs";

const at = (day, hhmmss) => new Date(`${day}T${hhmmss}Z`);

export function incidentEvents(rng, p, day) {
  const prod = p[PRODUCTION];
  const sec = p[SECURITY];
  const mallory = prod.contractor;
  const attackerIp = ADDRESSES.attacker;
  const cli = (command) => AGENTS.cli(command);
  const signIn = (ok, time, mfaUsed) => ({
    account: PRODUCTION,
    region: "us-east-1",
    time: at(day, time),
    spec: {
      identity: signInIdentity(mallory),
      ip: attackerIp,
      ua: AGENTS.browser,
      source: "signin.amazonaws.com",
      name: "ConsoleLogin",
      eventVersion: "1.08",
      eventType: "AwsConsoleSignIn",
      requestId: false,
      req: null,
      resp: { ConsoleLogin: ok ? "Success" : "Failure" },
      message: ok ? undefined : "Failed authentication",
      extra: {
        LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
        MobileVersion: "No",
        MFAUsed: mfaUsed,
      },
    },
  });
  const prodCall = (time, region, spec) => ({ account: PRODUCTION, region, time: at(day, time), spec: { identity: mallory, ip: attackerIp, ...spec } });
  const trailPolicy = (bucket) => ({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: `arn:aws:s3:::${bucket}` },
      { Sid: "AWSCloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/AWSLogs/${PRODUCTION}/*`, Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } } },
      { Sid: "Backup", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: ["s3:GetObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  });
  const bucket = trailBucket(PRODUCTION);
  const topic = `arn:aws:sns:us-east-1:${PRODUCTION}:cloudtrail-delivery`;
  const s3Extra = { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 612, AuthenticationMethod: "AuthHeader", "x-amz-id-2": "ZGVtbyBkYXRhIGZvciB0cmFpbHdhcmRlbg==", bytesTransferredOut: 0 };

  return [
    // console_login_failure (x2), then console_login_without_mfa
    signIn(false, "08:31:12", "No"),
    signIn(false, "08:31:40", "No"),
    signIn(true, "08:32:05", "No"),
    // unauthorized_api_call (IAM AccessDenied, EC2 UnauthorizedOperation in the JSON-lines region)
    prodCall("08:33:20", "us-east-1", {
      ua: cli("iam.list-users"), source: "iam.amazonaws.com", name: "ListUsers", readOnly: true,
      error: "AccessDenied", message: `User: arn:aws:iam::${PRODUCTION}:user/contractor-dev is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${PRODUCTION}:user/ because no identity-based policy allows the iam:ListUsers action`,
    }),
    prodCall("08:33:52", "eu-central-1", {
      ua: cli("ec2.describe-instances"), source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, req: { instancesSet: {}, filterSet: {} },
      error: "Client.UnauthorizedOperation", message: "You are not authorized to perform this operation.",
    }),
    // iam_policy_change: the contractor's own PutUserPolicy is allowed (the misconfiguration)
    prodCall("08:35:03", "us-east-1", {
      ua: cli("iam.put-user-policy"), source: "iam.amazonaws.com", name: "PutUserPolicy",
      req: { userName: "contractor-dev", policyName: "tmp-debug", policyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
    }),
    // trail_weakened + trail_configuration_change: the trail's SNS topic is removed
    prodCall("08:37:41", "us-east-1", {
      ua: cli("cloudtrail.update-trail"), source: "cloudtrail.amazonaws.com", name: "UpdateTrail",
      req: { name: "prod-audit", snsTopicName: "" },
      resp: { name: "prod-audit", s3BucketName: bucket, includeGlobalServiceEvents: true, isMultiRegionTrail: true, trailARN: trailArn(PRODUCTION), logFileValidationEnabled: true, kmsKeyId: `arn:aws:kms:us-east-1:${PRODUCTION}:key/0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13`, isOrganizationTrail: false },
    }),
    // management_events_excluded: the second trail keeps data events only
    prodCall("08:38:15", "us-east-1", {
      ua: cli("cloudtrail.put-event-selectors"), source: "cloudtrail.amazonaws.com", name: "PutEventSelectors",
      req: { trailName: "prod-data-events", eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: [`arn:aws:s3:::acme-prod-data-${PRODUCTION}/`] }], excludeManagementEventSources: [] }] },
      resp: { trailARN: `arn:aws:cloudtrail:us-east-1:${PRODUCTION}:trail/prod-data-events`, eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: [`arn:aws:s3:::acme-prod-data-${PRODUCTION}/`] }], excludeManagementEventSources: [] }] },
    }),
    // log_bucket_policy_or_lifecycle_change + s3_bucket_policy_change: an outside account may read and delete logs
    prodCall("08:40:02", "us-east-1", {
      ua: `[${cli("s3api.put-bucket-policy")}]`, source: "s3.amazonaws.com", name: "PutBucketPolicy",
      req: { bucketPolicy: trailPolicy(bucket), bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, policy: "" },
      requestId: "8QK2V7N4R1X9C3TB", extra: s3Extra,
      resources: [{ accountId: PRODUCTION, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
    }),
    // sns_topic_policy_change: the topic no longer lets CloudTrail publish
    prodCall("08:41:30", "us-east-1", {
      ua: cli("sns.set-topic-attributes"), source: "sns.amazonaws.com", name: "SetTopicAttributes",
      req: { topicArn: topic, attributeName: "Policy", attributeValue: JSON.stringify({ Version: "2008-10-17", Statement: [{ Sid: "OwnerOnly", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PRODUCTION}:root` }, Action: "SNS:Publish", Resource: topic }] }) },
    }),
    // trail_logging_stopped + trail_configuration_change
    prodCall("08:43:09", "us-east-1", {
      ua: cli("cloudtrail.stop-logging"), source: "cloudtrail.amazonaws.com", name: "StopLogging", req: { name: trailArn(PRODUCTION) },
    }),
    // security_group_change (in the JSON-lines region): SSH open to the world
    prodCall("08:45:47", "eu-central-1", {
      ua: cli("ec2.authorize-security-group-ingress"), source: "ec2.amazonaws.com", name: "AuthorizeSecurityGroupIngress",
      req: { groupId: "sg-0c4f2a9e7b1d3f5a8", ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, groups: {}, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] }, ipv6Ranges: {}, prefixListIds: {} }] } },
      resp: { requestId: rng.uuid(), _return: true, securityGroupRuleSet: { items: [{ groupOwnerId: PRODUCTION, groupId: "sg-0c4f2a9e7b1d3f5a8", securityGroupRuleId: "sgr-0a1b2c3d4e5f60718", isEgress: false, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] } },
    }),
    // kms_key_disabled_or_scheduled_for_deletion: the trail's key
    prodCall("08:48:26", "us-east-1", {
      ua: cli("kms.schedule-key-deletion"), source: "kms.amazonaws.com", name: "ScheduleKeyDeletion",
      req: { keyId: `arn:aws:kms:us-east-1:${PRODUCTION}:key/0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13`, pendingWindowInDays: 7 },
      resp: { keyId: `arn:aws:kms:us-east-1:${PRODUCTION}:key/0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13`, deletionDate: "Nov 27, 2026, 8:48:26 AM", keyState: "PendingDeletion", pendingWindowInDays: 7 },
      resources: [{ accountId: PRODUCTION, type: "AWS::KMS::Key", ARN: `arn:aws:kms:us-east-1:${PRODUCTION}:key/0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13` }],
    }),
    // root_account_usage (x2) in the security account; the sign-in used MFA, so the MFA rule stays quiet
    { account: SECURITY, region: "us-east-1", time: at(day, "08:12:44"), spec: mfaSignIn(sec.root, ADDRESSES.office) },
    {
      account: SECURITY, region: "us-east-1", time: at(day, "08:14:02"),
      spec: { identity: sec.root, ip: ADDRESSES.office, ua: AGENTS.console, source: "iam.amazonaws.com", name: "GetAccountSummary", readOnly: true, req: null },
    },
    // benign twin: an administrator signs in with MFA (no detection expected)
    { account: SECURITY, region: "us-east-1", time: at(day, "08:05:31"), spec: mfaSignIn(sec.alice, ADDRESSES.office) },
  ];
}
