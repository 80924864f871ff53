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
}

export interface LogsConfig {
  sources: string[];
  lookbackHours: number;
  concurrency: number;
  accounts?: string[];
  regions?: string[];
  includeDigest: boolean;
  includeInsight: boolean;
  sqs: { waitTimeSeconds: number; visibilityTimeoutSeconds: number; maxReceiveCount: number };
}

export interface ScheduleConfig {
  audit: string;
  scan: string;
  timezone: string;
  runOnStart: boolean;
}

export type Level = "informational" | "low" | "medium" | "high" | "critical";

export interface NotifyConfig {
  minLevel: Level;
  webhook?: { url: string; headersFromEnv: Record<string, string>; timeoutSeconds: number };
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
  /** Absolute paths. */
  rules: string[];
  placeholders: Record<string, string[]>;
  logs: LogsConfig;
  state: { dir: string };
  output: { dir: string; retentionDays?: number };
  schedule: ScheduleConfig;
  http: HttpConfig;
  notify: NotifyConfig;
  logLevel: "debug" | "info" | "warn" | "error";
  shutdownGraceSeconds: number;
}
