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
  http: { enabled: boolean; host: string; port: number };
  notify: NotifyConfig;
  logLevel: "debug" | "info" | "warn" | "error";
  shutdownGraceSeconds: number;
}
