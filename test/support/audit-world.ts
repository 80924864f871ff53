// A small vocabulary for describing CloudTrail set-ups on the test endpoint: accounts (with an
// assumable audit role), trails, log buckets, SNS topics and an organization; and the trailwarden
// config that audits them.
import { AwsClients } from "../../src/aws/clients.ts";
import { withDefaults } from "../../src/config/load.ts";
import type { AwsConfig, Config } from "../../src/config/types.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { putTrail, type TrailDef } from "../endpoint/services/cloudtrail.ts";
import { putKey } from "../endpoint/services/kms.ts";
import { createOrganization } from "../endpoint/services/organizations.ts";
import type { Bucket } from "../endpoint/world.ts";
import { awsConfigFor } from "./endpoint.ts";

export const AUDIT_ROLE = "TrailwardenAudit";

export interface TrailSpec {
  name: string;
  /** Home region; default us-east-1. */
  region?: string;
  multiRegion?: boolean;
  organization?: boolean;
  /** Default: true. */
  globalEvents?: boolean;
  /** Default: true. */
  validation?: boolean;
  kmsKeyId?: string;
  /** Log bucket; created in the trail's account with SSE-S3 unless `createBucket: false`. */
  bucket?: string;
  createBucket?: boolean;
  snsTopicArn?: string;
  /** Default: true. */
  logging?: boolean;
  deliveryError?: string;
  notificationError?: string;
  eventSelectors?: TrailDef["eventSelectors"];
  advancedEventSelectors?: TrailDef["advancedEventSelectors"];
}

export class AuditWorld {
  constructor(readonly ep: AwsTestEndpoint) {}

  /** An account with the audit role (trusted by any account). */
  account(id: string, opts: { name?: string; regions?: string[] } = {}): this {
    this.ep.world.addAccount(id, { name: opts.name, regions: opts.regions, roles: [AUDIT_ROLE] });
    return this;
  }

  organization(managementAccountId: string, memberIds: string[]): this {
    createOrganization(this.ep.world, managementAccountId, memberIds);
    return this;
  }

  /**
   * A bucket; by default a well-kept log bucket: SSE-S3, server access logging, Object Lock with a
   * default retention and Block Public Access, so only what a test changes fails.
   */
  bucket(name: string, ownerAccountId: string, opts: Partial<Omit<Bucket, "name" | "objects">> = {}): this {
    this.ep.world.addBucket(name, ownerAccountId, {
      encryption: { algorithm: "AES256" },
      logging: { targetBucket: `${name}-access-logs`, targetPrefix: "s3/" },
      objectLock: { mode: "COMPLIANCE", days: 365 },
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      ...opts,
    });
    return this;
  }

  topic(arn: string, opts: { allowAccounts?: string[] } = {}): this {
    this.ep.world.addTopic(arn, opts);
    return this;
  }

  /** A trail in `accountId`; returns its ARN. */
  trail(accountId: string, spec: TrailSpec): string {
    const bucket = spec.bucket ?? `${spec.name}-logs-${accountId}`;
    if (spec.createBucket !== false && !this.ep.world.buckets.has(bucket)) this.bucket(bucket, accountId);
    return putTrail(this.ep.world, {
      name: spec.name,
      accountId,
      homeRegion: spec.region ?? "us-east-1",
      isMultiRegion: spec.multiRegion ?? false,
      isOrganizationTrail: spec.organization ?? false,
      includeGlobalServiceEvents: spec.globalEvents ?? true,
      logFileValidationEnabled: spec.validation ?? true,
      s3BucketName: bucket,
      snsTopicArn: spec.snsTopicArn,
      kmsKeyId: spec.kmsKeyId,
      eventSelectors: spec.eventSelectors,
      advancedEventSelectors: spec.advancedEventSelectors,
      isLogging: spec.logging ?? true,
      latestDeliveryError: spec.deliveryError,
      latestNotificationError: spec.notificationError,
    });
  }

  /** A trail that passes every check: multi-region, logging, validated, KMS, with a live topic. */
  goodTrail(accountId: string, name = "main", region = "us-east-1"): string {
    const topic = `arn:aws:sns:${region}:${accountId}:${name}-notify`;
    if (!this.ep.world.topics.has(topic)) this.topic(topic);
    const kmsKeyId = putKey(this.ep.world, accountId, { region, id: name, state: "Enabled", rotation: true });
    return this.trail(accountId, { name, region, multiRegion: true, kmsKeyId, snsTopicArn: topic });
  }

  /** Base credentials: a user key of `accountId`. */
  baseClients(accountId: string, aws: Partial<AwsConfig> = {}): AwsClients {
    if (!this.ep.world.accounts.has(accountId)) this.account(accountId);
    const key = this.ep.world.addUserKey(accountId);
    return new AwsClients(awsConfigFor(this.ep, aws), async () => key);
  }

  /** A config that audits `accountIds` through the audit role, against the endpoint. */
  config(opts: {
    accounts?: { id: string; roleArn?: string | null; name?: string }[];
    organization?: { roleName: string; excludeAccounts?: string[] };
    regions?: string[] | "enabled";
    policy?: Partial<Config["policy"]>;
    aws?: Partial<AwsConfig>;
  }): Config {
    const config = withDefaults({}, process.cwd());
    config.aws = awsConfigFor(this.ep, { maxAttempts: 4, ...opts.aws });
    config.accounts = (opts.accounts ?? []).map((a) => {
      const roleArn =
        a.roleArn === null ? undefined : (a.roleArn ?? `arn:aws:iam::${a.id}:role/${AUDIT_ROLE}`);
      return { id: a.id, ...(roleArn ? { roleArn } : {}), ...(a.name ? { name: a.name } : {}) };
    });
    if (opts.organization)
      config.organization = {
        roleName: opts.organization.roleName,
        excludeAccounts: opts.organization.excludeAccounts ?? [],
      };
    config.regions = opts.regions ?? ["us-east-1", "eu-west-1"];
    config.policy = { ...config.policy, ...opts.policy };
    return config;
  }
}
