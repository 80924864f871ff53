// Routine, benign activity: the background the demo's detections stand out from. Each template
// returns the parts of a record that vary; the caller adds time, region and ids.
import { ADDRESSES, AGENTS, PRODUCTION, SECURITY, awsService, signInIdentity } from "./identities.mjs";

const ec2Read = (name, req) => ({ source: "ec2.amazonaws.com", name, req, readOnly: true });

/** Templates per account: [weight, (rng, p, region) => partial record spec]. */
export function routineTemplates(account) {
  const shared = [
    [6, (rng, p) => ({ identity: p.auditor, ip: natFor(account, rng), ua: AGENTS.trailwarden, ...pickCloudTrailRead(rng, account) })],
    [3, (rng, p) => ({ identity: p.auditor, ip: natFor(account, rng), ua: AGENTS.trailwarden, source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true })],
    [6, (rng, p) => ({
      identity: account === SECURITY ? p.monitoring : p.auditor,
      ip: natFor(account, rng),
      ua: account === SECURITY ? AGENTS.boto3 : AGENTS.trailwarden,
      ...ec2Read("DescribeInstances", { instancesSet: {}, filterSet: {} }),
    })],
    [4, (rng, p) => ({
      identity: p.terraform,
      ip: ADDRESSES.ciRunner,
      ua: AGENTS.terraform("EC2"),
      ...rng.pick([
        ec2Read("DescribeSecurityGroups", { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
        ec2Read("DescribeVpcs", { vpcSet: {}, filterSet: {} }),
        ec2Read("DescribeRouteTables", { routeTableIdSet: {}, filterSet: {} }),
        ec2Read("DescribeNetworkAcls", { networkAclIdSet: {}, filterSet: {} }),
        ec2Read("DescribeSubnets", { subnetSet: {}, filterSet: {} }),
      ]),
    })],
    [5, (rng, _p, region) => ({
      identity: awsService("s3.amazonaws.com"),
      ip: "s3.amazonaws.com",
      ua: "s3.amazonaws.com",
      source: "kms.amazonaws.com",
      name: rng.pick(["Decrypt", "GenerateDataKey"]),
      readOnly: true,
      account,
      req: {
        encryptionContext: { "aws:s3:arn": `arn:aws:s3:::acme-${account === SECURITY ? "security" : "prod"}-data-${account}/${rng.hex(8)}.parquet` },
        keyId: `arn:aws:kms:${region}:${account}:key/${account === SECURITY ? "5c8e7f2a-1b3d-4e6f-9a0b-2c4d6e8f0a1b" : "0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13"}`,
        encryptionAlgorithm: "SYMMETRIC_DEFAULT",
      },
      resources: [{ accountId: account, type: "AWS::KMS::Key", ARN: `arn:aws:kms:${region}:${account}:key/${account === SECURITY ? "5c8e7f2a-1b3d-4e6f-9a0b-2c4d6e8f0a1b" : "0f3e5d7c-9b1a-4c2e-8d6f-4a2b0c8e6f13"}` }],
    })],
    [3, (rng, p) => ({
      identity: p.auditor,
      ip: natFor(account, rng),
      ua: AGENTS.trailwarden,
      source: "s3.amazonaws.com",
      name: rng.pick(["GetBucketEncryption", "GetBucketPolicy", "GetBucketLocation"]),
      readOnly: true,
      req: { bucketName: trailBucket(account), Host: `${trailBucket(account)}.s3.amazonaws.com`, [rng.pick(["encryption", "policy", "location"])]: "" },
      requestId: rng.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16),
    })],
    [2, (rng, p) => ({
      identity: p.auditor,
      ip: natFor(account, rng),
      ua: AGENTS.trailwarden,
      source: "sns.amazonaws.com",
      name: "GetTopicAttributes",
      readOnly: true,
      req: { topicArn: `arn:aws:sns:us-east-1:${account}:cloudtrail-delivery` },
    })],
  ];
  if (account === SECURITY) {
    return [
      ...shared,
      [5, (rng, p) => ({
        identity: p.lambda,
        ip: ADDRESSES.natSecurity,
        ua: "aws-sdk-nodejs/2.1550.0 linux/v20.11.1 exec-env/AWS_Lambda_nodejs20.x promise",
        source: "logs.amazonaws.com",
        name: rng.pick(["CreateLogStream", "DescribeLogStreams"]),
        readOnly: false,
        req: { logGroupName: "/aws/lambda/log-forwarder", logStreamName: `2026/11/20/[$LATEST]${rng.hex(32)}` },
      })],
      [2, (rng, p) => ({
        identity: p.alice,
        ip: ADDRESSES.office,
        ua: AGENTS.console,
        source: "cloudtrail.amazonaws.com",
        name: rng.pick(["LookupEvents", "DescribeTrails", "ListTrails"]),
        readOnly: true,
        req: null,
      })],
    ];
  }
  return [
    ...shared,
    [8, (rng, p) => ({
      identity: p.app,
      ip: rng.pick(ADDRESSES.natProd),
      ua: AGENTS.boto3,
      source: "ssm.amazonaws.com",
      name: "GetParameter",
      readOnly: true,
      req: { name: rng.pick(["/orders/db/host", "/orders/feature-flags", "/orders/queue-url"]), withDecryption: true },
    })],
    [6, (rng, p) => ({
      identity: p.ecsTask,
      ip: rng.pick(ADDRESSES.natProd),
      ua: AGENTS.javaSdk,
      source: "secretsmanager.amazonaws.com",
      name: "GetSecretValue",
      readOnly: true,
      req: { secretId: `arn:aws:secretsmanager:us-east-1:${PRODUCTION}:secret:orders/db-credentials-Xk2m9Q` },
    })],
    [4, (rng, p) => ({
      identity: p.app,
      ip: rng.pick(ADDRESSES.natProd),
      ua: AGENTS.ssmAgent,
      source: "ssm.amazonaws.com",
      name: "UpdateInstanceInformation",
      req: { instanceId: "i-0a1b2c3d4e5f60718", agentVersion: "3.3.131.0", agentStatus: "Active", platformType: "Linux", platformName: "Amazon Linux", platformVersion: "2023", iPAddress: "10.20.1.37", computerName: "ip-10-20-1-37.ec2.internal", agentName: "amazon-ssm-agent", availabilityZone: "us-east-1a", availabilityZoneId: "use1-az4" },
    })],
    [2, (rng, p) => ({
      identity: p.autoscaling,
      ip: "autoscaling.amazonaws.com",
      ua: "autoscaling.amazonaws.com",
      ...ec2Read("DescribeInstanceStatus", { instancesSet: { items: [{ instanceId: `i-0${rng.hex(16)}` }] }, filterSet: {}, includeAllInstances: false }),
    })],
    [2, (rng, p) => ({
      identity: p.admin,
      ip: ADDRESSES.vpn,
      ua: AGENTS.console,
      source: "cloudwatch.amazonaws.com",
      name: rng.pick(["DescribeAlarms", "GetMetricData"]),
      readOnly: true,
      req: { maxRecords: 100 },
    })],
  ];
}

/** A successful console sign-in with MFA (the benign twin of the incident's sign-in). */
export function mfaSignIn(identity, ip) {
  return {
    identity: signInIdentity(identity),
    ip,
    ua: AGENTS.browser,
    source: "signin.amazonaws.com",
    name: "ConsoleLogin",
    eventVersion: "1.08",
    eventType: "AwsConsoleSignIn",
    requestId: false,
    req: null,
    resp: { ConsoleLogin: "Success" },
    extra: {
      LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
      MobileVersion: "No",
      MFAIdentifier: `arn:aws:iam::${identity.accountId}:mfa/${identity.userName ?? "root-account-mfa-device"}`,
      MFAUsed: "Yes",
    },
  };
}

function pickCloudTrailRead(rng, account) {
  const name = rng.pick(["DescribeTrails", "GetTrailStatus", "GetEventSelectors", "ListTags"]);
  const req =
    name === "DescribeTrails"
      ? { includeShadowTrails: true }
      : name === "ListTags"
        ? { resourceIdList: [trailArn(account)] }
        : { name: trailArn(account) };
  return { source: "cloudtrail.amazonaws.com", name, readOnly: true, req };
}

export function trailArn(account) {
  return `arn:aws:cloudtrail:us-east-1:${account}:trail/${account === SECURITY ? "org-audit" : "prod-audit"}`;
}

export function trailBucket(account) {
  return account === SECURITY ? `acme-security-cloudtrail-${account}` : `acme-prod-cloudtrail-${account}`;
}

function natFor(account, rng) {
  return account === SECURITY ? ADDRESSES.natSecurity : rng.pick(ADDRESSES.natProd);
}
