// The inventory snapshot: everything the audit collected from AWS, as plain JSON. Collection writes
// it, the checks read it; `--save-inventory` / `--inventory` move it through a file. Nothing in here
// is a judgement: a failed AWS call is recorded as a CollectionError where its answer would be.

export const INVENTORY_SCHEMA_VERSION = 1;

/** An AWS call that failed after its retries, with where it belongs. */
export interface CollectionError {
  service: string;
  operation: string;
  /** The SDK error name (AccessDeniedException, UnrecognizedClientException, ...). */
  code: string;
  message: string;
  accountId?: string;
  region?: string;
  /** The bucket, topic or trail the call was about. */
  resource?: string;
}

export interface Inventory {
  schemaVersion: number;
  collectedAt: string;
  /** The account of the base credentials, when it was asked for. */
  callerAccountId?: string;
  /** How the accounts were chosen. */
  accountSource: "config" | "organization" | "config+organization";
  accounts: AccountInventory[];
  /** Failures that belong to no single account (Organizations ListAccounts, GetCallerIdentity). */
  errors: CollectionError[];
  /** Every log bucket named by an audited trail, read once through the account that owns it. */
  logBuckets?: LogBucketRecord[];
  /** Every KMS key named by an audited trail, read once through the account that owns it. */
  keys?: KeyRecord[];
}

export interface AccountInventory {
  id: string;
  name?: string;
  /** Regions audited in this account (configured, or discovered when `regions: enabled`). */
  regions: string[];
  /** The account could not be read at all (AssumeRole, caller check, region discovery). */
  error?: CollectionError;
  /** One entry per audited region, in `regions` order. */
  regionViews: RegionView[];
  /** Every distinct trail seen in any region of this account, by ARN. */
  trails: TrailRecord[];
  /** Log buckets named by this account's trails, as read with this account's credentials. */
  buckets: BucketRecord[];
  /** SNS topics named by this account's trails, read by ARN in their own region. */
  topics: TopicRecord[];
  /** IAM users, groups, roles and managed policies (GetAccountAuthorizationDetails). */
  iam?: IamSnapshot;
  iamError?: CollectionError;
  /** The Organizations SCPs that apply to this account, when `organization` is configured. */
  scps?: ScpSnapshot;
  scpsError?: CollectionError;
  /** ListBuckets failed: which log buckets this account owns is unknown. */
  ownedBucketsError?: CollectionError;
  /** Account-level S3 Block Public Access (S3 Control); null when none is configured. */
  publicAccessBlock?: PublicAccessBlock | null;
  publicAccessBlockError?: CollectionError;
}

/** A policy document as AWS returned it (parsed JSON); judged by src/audit/policy. */
export interface PolicyRecord {
  name: string;
  /** The document; absent when it could not be read or parsed (see `error`). */
  document?: unknown;
  error?: string;
}

export interface IamPrincipalRecord {
  arn: string;
  name: string;
  path?: string;
  tags?: Record<string, string>;
  inlinePolicies: PolicyRecord[];
  attachedPolicyArns: string[];
  /** Users: their groups' names. */
  groups?: string[];
  permissionsBoundaryArn?: string;
}

export interface IamGroupRecord {
  arn: string;
  name: string;
  inlinePolicies: PolicyRecord[];
  attachedPolicyArns: string[];
}

export interface IamSnapshot {
  users: IamPrincipalRecord[];
  roles: IamPrincipalRecord[];
  groups: IamGroupRecord[];
  /** Managed policies in use, by ARN, with the document of their default version. */
  managedPolicies: (PolicyRecord & { arn: string })[];
}

export interface ScpSnapshot {
  /** The management account: SCPs do not apply to it. */
  managementAccountId?: string;
  /** From the root down to the account: each level's attached SCPs must all allow. */
  levels: { target: string; policies: PolicyRecord[] }[];
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** One value read from AWS about a bucket or key: the answer, or the call's failure. */
export type Read<T> = { value: T; error?: undefined } | { value?: undefined; error: CollectionError };

export interface LogBucketRecord {
  name: string;
  /** The audited account that owns it (its ListBuckets lists it); absent when none does. */
  accountId?: string;
  /** Why it was not read (no audited account owns it, or ListBuckets failed somewhere). */
  error?: CollectionError;
  /** Null: no bucket policy. */
  policy?: Read<PolicyRecord | null>;
  acl?: Read<{ grants: { grantee: string; permission: string }[] }>;
  /** Null: no bucket-level Block Public Access. */
  publicAccessBlock?: Read<PublicAccessBlock | null>;
  /** Server access logging target; null when off. */
  logging?: Read<{ targetBucket: string; targetPrefix?: string } | null>;
  versioning?: Read<{ status?: string; mfaDelete?: string }>;
  /** Null: Object Lock not configured. */
  objectLock?: Read<{
    enabled: boolean;
    defaultRetention?: { mode?: string; days?: number; years?: number };
  } | null>;
  /** Expiration rules (days), null when no lifecycle configuration. */
  lifecycle?: Read<{ id?: string; status: string; expirationDays?: number; prefix?: string }[] | null>;
}

export interface KeyRecord {
  /** As the trail names it (an ARN). */
  id: string;
  /** The audited account that owns it (from the ARN); absent when not audited. */
  accountId?: string;
  error?: CollectionError;
  /** NotFoundException: the key is gone. */
  missing?: boolean;
  state?: string;
  keyManager?: string;
  rotation?: Read<boolean>;
}

/** What DescribeTrails answered in one region (home trails, shadow trails, organization trails). */
export interface RegionView {
  region: string;
  error?: CollectionError;
  /** ARNs of the trails listed in this region. */
  trailArns: string[];
}

export interface TrailRecord {
  arn: string;
  name: string;
  homeRegion: string;
  /** The account in the trail's ARN: the owner, which differs from the account for organization trails seen from a member. */
  ownerAccountId: string;
  isMultiRegion: boolean;
  isOrganizationTrail: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  hasCustomEventSelectors: boolean;
  kmsKeyId?: string;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  snsTopicArn?: string;
  cloudWatchLogsLogGroupArn?: string;
  status?: TrailStatus;
  statusError?: CollectionError;
  /** Present only when hasCustomEventSelectors and the trail is owned by this account. */
  selectors?: TrailSelectors;
  selectorsError?: CollectionError;
}

export interface TrailStatus {
  isLogging: boolean;
  latestDeliveryError?: string;
  latestNotificationError?: string;
  latestDeliveryTime?: string;
  startLoggingTime?: string;
  stopLoggingTime?: string;
  latestCloudWatchLogsDeliveryTime?: string;
  latestCloudWatchLogsDeliveryError?: string;
}

export interface ClassicEventSelector {
  readWriteType?: "ReadOnly" | "WriteOnly" | "All";
  includeManagementEvents?: boolean;
  excludeManagementEventSources?: string[];
  dataResourceTypes?: string[];
  /** Data event resources with their ARN values (e.g. AWS::S3::Object with `arn:aws:s3`). */
  dataResources?: { type: string; values: string[] }[];
}

export interface AdvancedFieldSelector {
  field: string;
  equals?: string[];
  startsWith?: string[];
  endsWith?: string[];
  notEquals?: string[];
  notStartsWith?: string[];
  notEndsWith?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: AdvancedFieldSelector[];
}

export interface TrailSelectors {
  eventSelectors?: ClassicEventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
}

export interface BucketRecord {
  name: string;
  /** Default encryption; undefined with no error means "no default encryption configured". */
  encryption?: { algorithm: string; kmsKeyId?: string };
  /** NoSuchBucket: the bucket is gone. */
  missing?: boolean;
  error?: CollectionError;
}

export interface TopicRecord {
  arn: string;
  exists: boolean;
  /** The account whose credentials read it: the topic's own when audited, else the trail's. */
  readAs?: string;
  error?: CollectionError;
}
