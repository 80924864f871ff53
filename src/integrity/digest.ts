// CloudTrail digest files, as pure functions: parse the gzipped JSON, rebuild the string AWS signs,
// and check the SHA256withRSA signature with node:crypto. The format and the signing string are
// AWS's ("CloudTrail digest file structure", "Validating CloudTrail log file integrity with custom
// implementations"):
//   digestEndTime \n digestS3Bucket/digestS3Object \n hex(sha256(uncompressed digest)) \n
//   previousDigestSignature (the text "null" when there is none)
import { createHash, createPublicKey, verify } from "node:crypto";
import { gunzipSync } from "node:zlib";

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm?: string;
  newestEventTime?: string;
  oldestEventTime?: string;
}

export interface DigestFile {
  awsAccountId?: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm?: string;
  newestEventTime?: string | null;
  oldestEventTime?: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm?: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** The digest cannot be used: not gzip, not JSON, or a required field is missing or mistyped. */
export class DigestFormatError extends Error {
  override name = "DigestFormatError";
}

export interface ParsedDigest {
  digest: DigestFile;
  /** hex SHA-256 of the uncompressed bytes: what the signature covers, and what the next digest's previousDigestHashValue names. */
  hash: string;
}

const REQUIRED_STRINGS = [
  "digestStartTime",
  "digestEndTime",
  "digestS3Bucket",
  "digestS3Object",
  "digestPublicKeyFingerprint",
] as const;
const NULLABLE_STRINGS = [
  "previousDigestS3Bucket",
  "previousDigestS3Object",
  "previousDigestHashValue",
  "previousDigestSignature",
] as const;

/** gunzip (when the bytes say gzip) and parse a digest file; throws DigestFormatError. */
export function parseDigest(bytes: Uint8Array): ParsedDigest {
  let raw: Buffer;
  try {
    raw =
      bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes);
  } catch (err) {
    throw new DigestFormatError(`corrupt gzip: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new DigestFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new DigestFormatError("not a JSON object");
  const d = data as Record<string, unknown>;
  for (const f of REQUIRED_STRINGS)
    if (typeof d[f] !== "string" || !d[f]) throw new DigestFormatError(`field ${f} missing or not a string`);
  for (const f of NULLABLE_STRINGS)
    if (d[f] !== null && typeof d[f] !== "string")
      throw new DigestFormatError(`field ${f} missing or not a string`);
  if (
    Number.isNaN(Date.parse(d.digestStartTime as string)) ||
    Number.isNaN(Date.parse(d.digestEndTime as string))
  )
    throw new DigestFormatError("digestStartTime or digestEndTime is not a time");
  if (!Array.isArray(d.logFiles)) throw new DigestFormatError("field logFiles missing or not an array");
  for (const [i, f] of (d.logFiles as unknown[]).entries()) {
    const e = f as Record<string, unknown> | null;
    if (
      !e ||
      typeof e.s3Bucket !== "string" ||
      typeof e.s3Object !== "string" ||
      typeof e.hashValue !== "string"
    )
      throw new DigestFormatError(`logFiles[${i}] lacks s3Bucket, s3Object or hashValue`);
  }
  // A chain link is all or nothing: a previous object without its signature cannot be checked.
  const linked = d.previousDigestS3Object !== null || d.previousDigestSignature !== null;
  if (
    linked &&
    (d.previousDigestS3Object === null ||
      d.previousDigestSignature === null ||
      d.previousDigestHashValue === null)
  )
    throw new DigestFormatError("previous digest link is incomplete");
  return { digest: d as unknown as DigestFile, hash: sha256Hex(raw) };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The exact text CloudTrail signs for a digest. */
export function signingString(d: DigestFile, digestHash: string): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${digestHash}\n${d.previousDigestSignature ?? "null"}`;
}

/**
 * SHA256withRSA (RSA PKCS#1 v1.5 over SHA-256) against a DER-encoded PKCS#1 public key, as
 * ListPublicKeys returns it. False for a bad signature, a malformed hex signature or an unusable key.
 */
export function verifyDigestSignature(
  d: DigestFile,
  digestHash: string,
  signatureHex: string,
  publicKeyDer: Uint8Array,
): boolean {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: Buffer.from(publicKeyDer), format: "der", type: "pkcs1" });
  } catch {
    return false;
  }
  return verify(
    "sha256",
    Buffer.from(signingString(d, digestHash), "utf8"),
    key,
    Buffer.from(signatureHex, "hex"),
  );
}

export interface DigestKeyParts {
  /** Everything up to and including "AWSLogs/" or "AWSLogs/o-xxx/". */
  root: string;
  account: string;
  region: string;
  trailName: string;
  homeRegion: string;
  /** From the file name: the digest's end time. */
  time: Date;
  backfill: boolean;
}

const DIGEST_KEY =
  /^((?:.*\/)?AWSLogs\/(?:o-[a-z0-9]+\/)?)(\d{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;

/** The parts of a digest key, or undefined when the key is not a digest's. */
export function parseDigestKey(key: string): DigestKeyParts | undefined {
  const m = DIGEST_KEY.exec(key);
  if (!m) return undefined;
  const [, root, account, region, nameAccount, nameRegion, trailName, homeRegion, stamp, backfill] = m;
  if (nameAccount !== account || nameRegion !== region) return undefined;
  return {
    root,
    account,
    region,
    trailName,
    homeRegion,
    time: compactTime(stamp),
    backfill: Boolean(backfill),
  };
}

export interface LogKeyParts {
  root: string;
  account: string;
  region: string;
  /** Delivery minute from the file name. */
  time: Date;
}

const LOG_KEY =
  /^((?:.*\/)?AWSLogs\/(?:o-[a-z0-9]+\/)?)(\d{12})\/CloudTrail\/([a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$/;

/** The parts of a CloudTrail log file key (not Insight, not digest), or undefined. */
export function parseLogFileKey(key: string): LogKeyParts | undefined {
  const m = LOG_KEY.exec(key);
  if (!m || m[4] !== m[2] || m[5] !== m[3]) return undefined;
  return { root: m[1], account: m[2], region: m[3], time: compactTime(m[6]) };
}

/** 20260101T0105Z or 20260101T010530Z. */
function compactTime(s: string): Date {
  const sec = s.length === 16 ? s.slice(13, 15) : "00";
  return new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${sec}Z`,
  );
}

const p2 = (n: number) => String(n).padStart(2, "0");

/** YYYY/MM/DD/ of a time (UTC), as in CloudTrail's folders. */
export function dayFolder(t: Date): string {
  return `${t.getUTCFullYear()}/${p2(t.getUTCMonth() + 1)}/${p2(t.getUTCDate())}/`;
}

/** The key CloudTrail would give a digest ending at `end` (used to name a digest that should exist). */
export function digestKeyFor(parts: Omit<DigestKeyParts, "time">, end: Date): string {
  const stamp = `${end.getUTCFullYear()}${p2(end.getUTCMonth() + 1)}${p2(end.getUTCDate())}T${p2(end.getUTCHours())}${p2(end.getUTCMinutes())}${p2(end.getUTCSeconds())}Z`;
  return `${parts.root}${parts.account}/CloudTrail-Digest/${parts.region}/${dayFolder(end)}${parts.account}_CloudTrail-Digest_${parts.region}_${parts.trailName}_${parts.homeRegion}_${stamp}${parts.backfill ? "_backfill" : ""}.json.gz`;
}
