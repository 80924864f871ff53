// The endpoint's state: accounts, credentials, S3 buckets and SNS topics, shared by every service.
// Per-service state (trails, queues, ...) lives in each account's `services` bag.
import { createHash, randomBytes } from "node:crypto";

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface S3Object {
  body: Buffer;
  lastModified: Date;
  metadata?: Record<string, string>;
}

export interface Bucket {
  name: string;
  ownerAccountId: string;
  region: string;
  /** SSE default encryption; undefined = none configured. */
  encryption?: { algorithm: "AES256" | "aws:kms" | "aws:kms:dsse"; kmsKeyId?: string };
  /** Other accounts allowed to read the bucket's configuration and objects. */
  allowAccounts: string[];
  objects: Map<string, S3Object>;
  /** Bucket policy JSON text; undefined = none. */
  policy?: string;
  /** ACL grants besides the owner's FULL_CONTROL (group URIs or canonical ids). */
  aclGrants?: { uri?: string; id?: string; permission: string }[];
  publicAccessBlock?: PublicAccessBlockDef;
  logging?: { targetBucket: string; targetPrefix?: string };
  versioning?: { status?: "Enabled" | "Suspended"; mfaDelete?: "Enabled" | "Disabled" };
  objectLock?: { mode?: "GOVERNANCE" | "COMPLIANCE"; days?: number; years?: number };
  lifecycle?: { id: string; status: "Enabled" | "Disabled"; prefix?: string; expirationDays?: number }[];
}

export interface PublicAccessBlockDef {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface Topic {
  arn: string;
  ownerAccountId: string;
  region: string;
  allowAccounts: string[];
  published: { message: string; subject?: string; attributes?: Record<string, string> }[];
}

export interface Identity {
  accountId: string;
  arn: string;
  userId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Account {
  id: string;
  name: string;
  /** Regions enabled for this account; others answer UnrecognizedClientException. */
  enabledRegions: Set<string>;
  /** Role names that may be assumed, with the accounts allowed to assume them (empty = any). */
  roles: Map<string, { trustedAccounts: string[] }>;
  /** Per-service state owned by the service modules. */
  services: Record<string, unknown>;
}

export const DEFAULT_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
];

/** A CloudTrail digest-signing public key (PKCS#1 DER), as ListPublicKeys returns it. */
export interface CloudTrailPublicKey {
  fingerprint: string;
  value: Uint8Array;
  validityStart?: Date;
  validityEnd?: Date;
}

export class World {
  readonly accounts = new Map<string, Account>();
  /** CloudTrail's signing keys by region (AWS-owned, the same for every account). */
  readonly cloudTrailKeys = new Map<string, CloudTrailPublicKey[]>();
  /** ListPublicKeys page size, small so that NextToken is exercised. */
  cloudTrailKeysPageSize = 1;
  readonly credentials = new Map<string, Identity>();
  readonly buckets = new Map<string, Bucket>();
  readonly topics = new Map<string, Topic>();
  /** Account-level S3 Block Public Access (S3 Control), by account. */
  readonly accountPublicAccessBlocks = new Map<string, PublicAccessBlockDef>();

  addAccount(id: string, opts: { name?: string; regions?: string[]; roles?: string[] } = {}): Account {
    const account: Account = {
      id,
      name: opts.name ?? `account-${id}`,
      enabledRegions: new Set(opts.regions ?? DEFAULT_REGIONS),
      roles: new Map((opts.roles ?? []).map((r) => [r, { trustedAccounts: [] }])),
      services: {},
    };
    this.accounts.set(id, account);
    return account;
  }

  account(id: string): Account {
    const a = this.accounts.get(id);
    if (!a) throw new AwsError("AccessDenied", `account ${id} does not exist`, 403);
    return a;
  }

  /** Long-term keys for a principal of the account (tests pass them to the SDK). */
  addUserKey(accountId: string, userName = "auditor"): { accessKeyId: string; secretAccessKey: string } {
    const accessKeyId = `AKIA${accountId}${randomBytes(2).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(20).toString("base64");
    this.credentials.set(accessKeyId, {
      accountId,
      arn: `arn:aws:iam::${accountId}:user/${userName}`,
      userId: `AIDA${hash(accountId + userName)}`,
      secretAccessKey,
    });
    return { accessKeyId, secretAccessKey };
  }

  /** Temporary keys from AssumeRole; they map to the role's account. */
  issueRoleKeys(roleArn: string, sessionName: string): Identity & { accessKeyId: string } {
    const accountId = roleArn.split(":")[4];
    const roleName = roleArn.split("/").pop()!;
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const identity: Identity = {
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `AROA${hash(roleArn)}:${sessionName}`,
      secretAccessKey: randomBytes(20).toString("base64"),
      sessionToken: randomBytes(32).toString("base64"),
    };
    this.credentials.set(accessKeyId, identity);
    return { ...identity, accessKeyId };
  }

  addBucket(
    name: string,
    ownerAccountId: string,
    opts: Partial<Omit<Bucket, "name" | "objects">> = {},
  ): Bucket {
    const bucket: Bucket = {
      name,
      ownerAccountId,
      region: opts.region ?? "us-east-1",
      encryption: opts.encryption,
      allowAccounts: opts.allowAccounts ?? [],
      objects: new Map(),
      policy: opts.policy,
      aclGrants: opts.aclGrants,
      publicAccessBlock: opts.publicAccessBlock,
      logging: opts.logging,
      versioning: opts.versioning,
      objectLock: opts.objectLock,
      lifecycle: opts.lifecycle,
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  putObject(
    bucket: string,
    key: string,
    body: Buffer | string,
    lastModified = new Date(),
    metadata?: Record<string, string>,
  ): void {
    const b = this.buckets.get(bucket);
    if (!b) throw new Error(`no bucket ${bucket}`);
    const obj: S3Object = { body: Buffer.isBuffer(body) ? body : Buffer.from(body), lastModified };
    if (metadata) obj.metadata = metadata;
    b.objects.set(key, obj);
  }

  addTopic(arn: string, opts: { allowAccounts?: string[] } = {}): Topic {
    const [, , , region, ownerAccountId] = arn.split(":");
    const topic: Topic = {
      arn,
      ownerAccountId,
      region,
      allowAccounts: opts.allowAccounts ?? [],
      published: [],
    };
    this.topics.set(arn, topic);
    return topic;
  }

  /** Publish a CloudTrail signing key in a region (ListPublicKeys returns it). */
  addCloudTrailKey(region: string, key: CloudTrailPublicKey): void {
    const keys = this.cloudTrailKeys.get(region) ?? [];
    keys.push(key);
    this.cloudTrailKeys.set(region, keys);
  }

  /** The per-account state bag of a service, created on first use. */
  serviceState<T>(accountId: string, service: string, init: () => T): T {
    const account = this.account(accountId);
    if (!(service in account.services)) account.services[service] = init();
    return account.services[service] as T;
  }
}

function hash(s: string): string {
  return createHash("sha1").update(s).digest("hex").slice(0, 16).toUpperCase();
}
