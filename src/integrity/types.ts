// The vocabulary of integrity verification: how objects are read, the scope of one folder, and
// the verdicts (the contract: digests valid|invalid|missing, log files
// valid|modified|missing|unlisted, gaps), shared by `verify` and its report.
import type { DigestObject } from "./check.ts";
import type { PublicKeyCache } from "./keys.ts";

export type LogHash = { sha256: string } | { corrupt: string };

export interface IntegrityReader {
  /** Every key under a prefix. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  /** The sub-folders of a prefix (delimited listing), each ending in "/". */
  listFolders(bucket: string, prefix: string): Promise<string[]>;
  /** The digest object, or undefined when there is no such key. */
  getDigest(bucket: string, key: string): Promise<DigestObject | undefined>;
  /** SHA-256 of the log file's uncompressed bytes, or undefined when there is no such key. */
  hashLogFile(bucket: string, key: string): Promise<LogHash | undefined>;
}

export interface FolderScope {
  bucket: string;
  /** Key prefix up to and including "AWSLogs/" (or "AWSLogs/o-xxx/"). */
  root: string;
  account: string;
  region: string;
  trailName: string;
  homeRegion: string;
}

export interface VerifyOptions {
  start: Date;
  end: Date;
  now: Date;
  /** How long after delivery a log file may wait for the digest that lists it. */
  graceMs: number;
  reader: IntegrityReader;
  keys: PublicKeyCache;
  /** Objects read at once. */
  concurrency?: number;
}

export type DigestStatus = "valid" | "invalid" | "missing";
export type LogFileStatus = "valid" | "modified" | "missing" | "unlisted";

export interface DigestVerdict {
  key: string;
  status: DigestStatus;
  reason?: string;
  account: string;
  region: string;
  digestStartTime?: string;
  digestEndTime?: string;
  backfill?: boolean;
  /** missing, and the key is where CloudTrail would have written it (the newest digest is gone). */
  inferredKey?: boolean;
}

export interface LogFileVerdict {
  key: string;
  status: LogFileStatus;
  reason?: string;
  /** SHA-256 the digest lists. */
  expected?: string;
  /** SHA-256 of what is in S3 now. */
  actual?: string;
  /** The digest that lists it. */
  digest?: string;
}

export interface GapVerdict {
  from: string;
  to: string;
  account: string;
  region: string;
  lastDigest: string;
  nextDigest: string;
}

export interface Undetermined {
  operation: string;
  code: string;
  message: string;
  account: string;
  region: string;
  bucket: string;
  key?: string;
}

export interface UnverifiedLogFile {
  key: string;
  /** awaiting-digest: delivered after the newest digest, within the grace period; not-covered: no
   * digest chain around its time (a gap, or before the window's first digest); undetermined: the
   * digest for its time could not be read. */
  reason: "awaiting-digest" | "not-covered" | "undetermined";
}

export interface FolderResult {
  digests: DigestVerdict[];
  logFiles: LogFileVerdict[];
  gaps: GapVerdict[];
  errors: Undetermined[];
  unverifiedLogFiles: UnverifiedLogFile[];
}
