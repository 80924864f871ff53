// The configuration as the rest of the code sees it: defaults filled in, paths resolved.

export interface AccountConfig {
  id: string;
  roleArn?: string;
  name?: string;
}

export interface AwsConfig {
  region: string;
  endpoint?: string;
  s3ForcePathStyle: boolean;
  maxAttempts: number;
  concurrencyPerRegion: number;
  accountConcurrency: number;
  /** HTTP connections per host shared by every client; undefined = the SDK's default (50 per client). */
  maxSockets?: number;
  externalId?: string;
  sessionName: string;
}

export interface PolicyConfig {
  requireKms: boolean;
  requireSns: boolean;
  requireLogFileValidation: boolean;
  /** ARN patterns (`*` wildcards) of the principals that may legitimately manage trails and their log buckets. */
  trailAdmins: string[];
  /** trail-cloudwatch-logs judges every trail when set. */
  requireCloudWatchLogs: boolean;
  /** trail-s3-data-events judges every account when set. */
  requireS3DataEvents: boolean;
}

/** An accepted finding (a mutelist entry): fields are globs with `*`; `expires` is a date or date-time. */
export interface WaiverConfig {
  check: string;
  account?: string;
  region?: string;
  resource?: string;
  reason: string;
  expires?: string;
  owner?: string;
}

export interface LogsConfig {
  sources: string[];
  lookbackHours: number;
  concurrency: number;
  /** Scan worker threads; 0 judges files on the main thread. Default: the available cores. */
  workers: number;
  /** Decompressed bytes a log file may have; a bigger file is reported bad. Default 1 GiB. */
  maxFileBytes: number;
  /** Time one log file may take to read and judge; a slower file is reported bad. Default 300. */
  fileTimeoutSeconds: number;
  accounts?: string[];
  regions?: string[];
  includeDigest: boolean;
  includeInsight: boolean;
  /** Verify digests and log file hashes while scanning (default: true when a source is s3://). */
  verifyIntegrity: boolean;
  /** How long a log file may wait for the digest that lists it before it counts as unlisted. */
  integrityGraceMinutes: number;
  sqs: { waitTimeSeconds: number; visibilityTimeoutSeconds: number; maxReceiveCount: number };
  /** Unreadable files: first retry after retryMinutes (doubling), given up after giveUpHours. */
  quarantine: { retryMinutes: number; giveUpHours: number };
  /** Correlation rules: lateness held before a window is final, cap on live groups, eventIDs listed. */
  correlation: { latenessMinutes: number; maxGroups: number; maxEventIds: number };
}

export interface ScheduleConfig {
  audit: string;
  scan: string;
  timezone: string;
  runOnStart: boolean;
}

export type Level = "informational" | "low" | "medium" | "high" | "critical";

/** Sigma rule statuses. */
export type RuleStatus = "stable" | "test" | "experimental" | "deprecated" | "unsupported";

/** Which rules a `rules.select` / `rules.exclude` map matches: any value within a key, every key given. */
export interface RuleSelector {
  levels?: Level[];
  statuses?: RuleStatus[];
  /** Sigma tags, case-insensitive; a trailing `*` matches any rest. */
  tags?: string[];
  /** Rule ids, or Sigma names. */
  ids?: string[];
}

/** `rules.includeStatuses`, `rules.select`, `rules.exclude`: which of the rules found load. */
export interface RuleSelection {
  includeStatuses: RuleStatus[];
  select?: RuleSelector;
  exclude?: RuleSelector;
  /** The config file it came from, to locate notes about it (an id no rule has). */
  file?: string;
}

export interface NotifyConfig {
  minLevel: Level;
  webhook?: {
    url: string;
    headersFromEnv: Record<string, string>;
    timeoutSeconds: number;
    /** The body: trailwarden's JSON (default), a Slack message or a Teams Adaptive Card. */
    format?: "json" | "slack" | "teams";
    /** Detections per request (json: 1 keeps today's one-detection body). */
    batchSize?: number;
    /** How long a first pending detection may wait for others to fill a batch. */
    batchDelaySeconds?: number;
  };
  sns?: { topicArn: string };
}

export interface HttpConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** Connections held at once; more are closed on accept. */
  maxConnections: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
}

export interface Config {
  /** Absolute path of the file the config came from, or undefined for defaults. */
  file?: string;
  aws: AwsConfig;
  accounts: AccountConfig[];
  organization?: { roleName: string; excludeAccounts: string[] };
  regions: string[] | "enabled";
  policy: PolicyConfig;
  /** Accepted FAIL findings, reported as WAIVED (audit). */
  waivers: WaiverConfig[];
  /** Absolute paths (`rules`, or `rules.paths`). */
  rules: string[];
  /** `rules.includeStatuses`, `rules.select`, `rules.exclude` (defaults filled in). */
  ruleSelection: RuleSelection;
  placeholders: Record<string, string[]>;
  logs: LogsConfig;
  state: { dir: string; emittedRetentionDays: number };
  output: {
    dir: string;
    retentionDays?: number;
    rotateBytes: number;
    rotateDaily: boolean;
    /** Write latest-audit.html beside latest-audit.json. */
    html: boolean;
    /** Detections carry the raw record. */
    includeEvent: boolean;
  };
  schedule: ScheduleConfig;
  http: HttpConfig;
  notify: NotifyConfig;
  logLevel: "debug" | "info" | "warn" | "error";
  shutdownGraceSeconds: number;
}
