// Fixtures for ingestion tests: CloudTrail records and keys, gzip, a config in a temp folder, and
// a small hand-written Detector (a test double for the rule engine: it flags chosen event names).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { withDefaults } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import type { Detection } from "../../src/logs/detection.ts";
import type { Detector, RuleMatch } from "../../src/logs/detector.ts";

export function record(
  eventID: string,
  eventName = "DescribeInstances",
  extra: Record<string, unknown> = {},
) {
  return {
    eventVersion: "1.08",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111111111111:user/alice", accountId: "111111111111" },
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "cloudtrail.amazonaws.com",
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    eventID,
    recipientAccountId: "111111111111",
    ...extra,
  };
}

export function logBody(records: unknown[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

/** A CloudTrail key for a delivery at `at`. */
export function ctKey(account: string, region: string, at: Date, unique: string, root = "AWSLogs/"): string {
  const iso = at.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `${root}${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

export function tempDir(name = "tw-ingest-"): string {
  return mkdtempSync(join(tmpdir(), name));
}

export function testConfig(
  dir: string,
  logs: Partial<Config["logs"]> = {},
  aws: Partial<Config["aws"]> = {},
): Config {
  const config = withDefaults({}, dir);
  config.logs = { ...config.logs, concurrency: 4, ...logs, sqs: { ...config.logs.sqs, ...(logs.sqs ?? {}) } };
  config.aws = { ...config.aws, ...aws };
  return config;
}

export const STOP_LOGGING: RuleMatch = {
  id: "rule-stop-logging",
  title: "Trail stopped",
  level: "high",
  tags: ["cis.3.5"],
};

/** Flags every record whose eventName is in the set. */
export function eventNameDetector(names: string[] = ["StopLogging"], rule = STOP_LOGGING): Detector {
  const set = new Set(names);
  return { evaluate: (r) => (set.has(String(r.eventName)) ? [rule] : []) };
}

export function readDetections(config: Config): Detection[] {
  let text = "";
  try {
    text = readFileSync(join(config.output.dir, "detections.jsonl"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Detection);
}

/** The eventIDs of the detections written so far, sorted. */
export function detectedEventIds(config: Config): string[] {
  return readDetections(config)
    .map((d) => d.eventID)
    .sort();
}
