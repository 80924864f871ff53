// Judging one digest object and one chain link. Shared by `verify` and the in-stream tracker so
// both give the same verdict for the same bytes.
import {
  type DigestFile,
  DigestFormatError,
  type ParsedDigest,
  parseDigest,
  verifyDigestSignature,
} from "./digest.ts";
import { keyValidFor, type PublicKeyCache } from "./keys.ts";

/** A digest object as S3 returns it: the bytes and the signature metadata. */
export interface DigestObject {
  bytes: Uint8Array;
  /** x-amz-meta-signature (hex). */
  signature?: string;
  /** x-amz-meta-signature-algorithm. */
  signatureAlgorithm?: string;
}

export type DigestCheck =
  | { status: "valid"; parsed: ParsedDigest; signature: string }
  | { status: "invalid"; reason: string; parsed?: ParsedDigest; signature?: string };

export const SIGNATURE_ALGORITHM = "SHA256withRSA";

/**
 * Is this digest, found at s3://bucket/key in `region`, what CloudTrail wrote? Invalid: malformed,
 * moved from where it says it was written, unsigned, signed with an unknown key or not matching
 * its signature. Throws only when the answer cannot be known (ListPublicKeys failed).
 */
export async function checkDigest(
  bucket: string,
  key: string,
  region: string,
  obj: DigestObject,
  keys: PublicKeyCache,
): Promise<DigestCheck> {
  let parsed: ParsedDigest;
  try {
    parsed = parseDigest(obj.bytes);
  } catch (err) {
    if (err instanceof DigestFormatError)
      return { status: "invalid", reason: `malformed digest: ${err.message}` };
    throw err;
  }
  const d = parsed.digest;
  const signature = obj.signature;
  if (d.digestS3Bucket !== bucket || d.digestS3Object !== key)
    return {
      status: "invalid",
      reason: `moved: the digest says it was written to s3://${d.digestS3Bucket}/${d.digestS3Object}`,
      parsed,
      signature,
    };
  if (!signature) return { status: "invalid", reason: "no x-amz-meta-signature metadata", parsed };
  const algorithm = obj.signatureAlgorithm ?? d.digestSignatureAlgorithm;
  if (algorithm !== SIGNATURE_ALGORITHM)
    return {
      status: "invalid",
      reason: `unsupported signature algorithm ${algorithm ?? "(none)"}`,
      parsed,
      signature,
    };
  const start = new Date(d.digestStartTime);
  const end = new Date(d.digestEndTime);
  const publicKey = await keys.find(region, d.digestPublicKeyFingerprint, start, end);
  if (!publicKey)
    return {
      status: "invalid",
      reason: `no CloudTrail public key with fingerprint ${d.digestPublicKeyFingerprint} in ${region}`,
      parsed,
      signature,
    };
  if (!keyValidFor(publicKey, start, end))
    return {
      status: "invalid",
      reason: `public key ${d.digestPublicKeyFingerprint} was not valid between ${d.digestStartTime} and ${d.digestEndTime}`,
      parsed,
      signature,
    };
  if (!verifyDigestSignature(d, parsed.hash, signature, publicKey.value))
    return { status: "invalid", reason: "signature verification failed", parsed, signature };
  return { status: "valid", parsed, signature };
}

/** What a digest knows of its predecessor, checked against the predecessor itself. */
export function linkProblem(
  d: DigestFile,
  previous: { hash: string; signature?: string },
): string | undefined {
  if (d.previousDigestSignature !== previous.signature)
    return "previousDigestSignature does not match the previous digest's signature";
  if (d.previousDigestHashValue?.toLowerCase() !== previous.hash)
    return "previousDigestHashValue does not match the previous digest's SHA-256";
  return undefined;
}

/** The previous digest a digest links to, or undefined when it starts a new chain. */
export function previousOf(d: DigestFile): { bucket: string; key: string } | undefined {
  if (!d.previousDigestS3Object) return undefined;
  return { bucket: d.previousDigestS3Bucket ?? d.digestS3Bucket, key: d.previousDigestS3Object };
}

/** Log file names carry the delivery minute: allow a minute either side of a digest's period. */
const SLACK_MS = 60_000;

/** Does a digest period [start, end] decide about a log file delivered at minute `t`? */
export function periodCovers(period: { start: number; end: number }, t: number): boolean {
  return period.start - SLACK_MS <= t && t + SLACK_MS <= period.end;
}
