// CloudTrail's S3 key layout, as pure functions:
// [prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/
//   <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
// Keys sort by day, then by delivery minute, so a StartAfter key derived from a time skips
// everything delivered before it.

export type LogKind = "CloudTrail" | "CloudTrail-Digest" | "CloudTrail-Insight";

export interface ParsedKey {
  /** The account × region folder, ending in "/". */
  folder: string;
  account: string;
  region: string;
  kind: LogKind;
}

const KEY =
  /^((?:.*\/)?AWSLogs\/(?:o-[a-z0-9]+\/)?)(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/;
const LOG_FILE = /^\d{12}_CloudTrail(?:-Insight)?_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json(?:\.gz)?$/;
const DIGEST_FILE = /^\d{12}_CloudTrail-Digest_[a-z0-9-]+_.+_\d{8}T\d{6}Z\.json(?:\.gz)?$/;

/** The parts of a CloudTrail log key, or undefined for any other object. */
export function parseLogKey(key: string): ParsedKey | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, root, account, kind, region, , , , name] = m;
  const nameOk = kind === "CloudTrail-Digest" ? DIGEST_FILE.test(name) : LOG_FILE.test(name);
  if (!nameOk || !name.startsWith(`${account}_${kind}_${region}_`)) return undefined;
  return { folder: `${root}${account}/${kind}/${region}/`, account, region, kind: kind as LogKind };
}

/** The folder of one account × region for a kind of log. */
export function logFolder(awsLogsRoot: string, account: string, kind: LogKind, region: string): string {
  return `${awsLogsRoot}${account}/${kind}/${region}/`;
}

/**
 * A StartAfter value such that every key delivered at or after `t` sorts after it. For digest
 * files, whose names carry the trail name before the time, the day folder is the bound.
 */
export function startAfterFor(folder: string, t: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const day = `${p(t.getUTCFullYear(), 4)}/${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())}/`;
  const m = /(\d{12})\/(CloudTrail(?:-Digest|-Insight)?)\/([a-z0-9-]+)\/$/.exec(folder);
  if (!m || m[2] === "CloudTrail-Digest") return `${folder}${day}`;
  const stamp = `${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}T${p(t.getUTCHours())}${p(t.getUTCMinutes())}Z`;
  return `${folder}${day}${m[1]}_${m[2]}_${m[3]}_${stamp}`;
}

/** The lesser of two StartAfter keys (undefined = no bound). */
export function minKey(a: string | undefined, b: string): string {
  return a !== undefined && a < b ? a : b;
}

/** s3://bucket/prefix[?region=r] split into its parts; the prefix ends in "/" when not empty. */
export function parseS3Url(url: string): { bucket: string; prefix: string; region?: string } {
  const u = new URL(url);
  const prefix = decodeURIComponent(u.pathname.replace(/^\//, ""));
  return {
    bucket: u.hostname,
    prefix: prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix,
    region: u.searchParams.get("region") ?? undefined,
  };
}
