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
}

export interface ClassicEventSelector {
  readWriteType?: "ReadOnly" | "WriteOnly" | "All";
  includeManagementEvents?: boolean;
  excludeManagementEventSources?: string[];
  dataResourceTypes?: string[];
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
