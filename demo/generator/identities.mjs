// The principals of the two demo accounts. All names, keys and addresses are invented; IP addresses
// come from the documentation ranges (RFC 5737), so they can never belong to anyone.
import { UPPER32 } from "./prng.mjs";

export const SECURITY = "111111111111"; // security-tooling account (as in config.example.yaml)
export const PRODUCTION = "222222222222"; // production account

export function iamUser(rng, account, name) {
  return {
    type: "IAMUser",
    principalId: `AIDA${rng.chars(UPPER32, 17)}`,
    arn: `arn:aws:iam::${account}:user/${name}`,
    accountId: account,
    accessKeyId: `AKIA${rng.chars(UPPER32, 16)}`,
    userName: name,
  };
}

export function assumedRole(rng, account, roleName, session, { mfa = false, created = "2026-11-20T07:00:00Z" } = {}) {
  const roleId = `AROA${rng.chars(UPPER32, 17)}`;
  return {
    type: "AssumedRole",
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
    accountId: account,
    accessKeyId: `ASIA${rng.chars(UPPER32, 16)}`,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: roleId,
        arn: `arn:aws:iam::${account}:role/${roleName.startsWith("AWSServiceRole") ? "aws-service-role/" : ""}${roleName}`,
        accountId: account,
        userName: roleName,
      },
      webIdFederationData: {},
      attributes: { creationDate: created, mfaAuthenticated: mfa ? "true" : "false" },
    },
  };
}

export function rootUser(account) {
  return { type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account };
}

export function awsService(service) {
  return { type: "AWSService", invokedBy: service };
}

/** Without an access key id: console sign-in records carry none. */
export function signInIdentity(identity) {
  const { accessKeyId: _drop, ...rest } = identity;
  return rest;
}

export const AGENTS = {
  cli: (command) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-aws exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  console: "AWS Internal",
  browser:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  terraform: (api) =>
    `APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/${api}`,
  trailwarden: "trailwarden/0.1.0 aws-sdk-js/3.700.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#20.18.0",
  boto3:
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
  ssmAgent: "aws-sdk-go/1.50.10 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0",
  javaSdk: "aws-sdk-java/2.25.16 Linux/6.1.72 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard",
};

export const ADDRESSES = {
  office: "198.51.100.77",
  vpn: "198.51.100.90",
  ciRunner: "203.0.113.24",
  natProd: ["203.0.113.10", "203.0.113.11"],
  natSecurity: "203.0.113.40",
  attacker: "192.0.2.44",
};

/** Every principal the generator uses, made once per run so their ids are stable within the data set. */
export function principals(rng) {
  return {
    [SECURITY]: {
      alice: iamUser(rng, SECURITY, "alice"),
      auditor: assumedRole(rng, SECURITY, "TrailwardenAudit", "trailwarden"),
      terraform: assumedRole(rng, SECURITY, "terraform-deploy", "gitlab-runner-8812"),
      monitoring: assumedRole(rng, SECURITY, "datadog-integration", "DatadogAWSIntegration"),
      lambda: assumedRole(rng, SECURITY, "log-forwarder-lambda", "log-forwarder"),
      root: rootUser(SECURITY),
    },
    [PRODUCTION]: {
      admin: assumedRole(rng, PRODUCTION, "AWSReservedSSO_AdministratorAccess_3f2a9c1d7e5b4a60", "carol@example.com"),
      auditor: assumedRole(rng, PRODUCTION, "TrailwardenAudit", "trailwarden"),
      app: assumedRole(rng, PRODUCTION, "app-backend", "i-0a1b2c3d4e5f60718"),
      ecsTask: assumedRole(rng, PRODUCTION, "orders-service-task", "5f2c9e1a7b3d4c6e8f0a2b4c6d8e0f1a"),
      autoscaling: assumedRole(rng, PRODUCTION, "AWSServiceRoleForAutoScaling", "AutoScaling"),
      terraform: assumedRole(rng, PRODUCTION, "terraform-deploy", "gitlab-runner-8812"),
      contractor: iamUser(rng, PRODUCTION, "contractor-dev"),
    },
  };
}
