// The digest format's pure parts: the signing string, SHA256withRSA against a PKCS#1 DER key, the
// parser's refusals and the key layout.
import assert from "node:assert/strict";
import { sign } from "node:crypto";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import {
  type DigestFile,
  DigestFormatError,
  digestKeyFor,
  parseDigest,
  parseDigestKey,
  parseLogFileKey,
  sha256Hex,
  signingString,
  verifyDigestSignature,
} from "../../src/integrity/digest.ts";
import { signingKey } from "../support/digest-chain.ts";

const KEY =
  "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz";

const digest: DigestFile = {
  awsAccountId: "111122223333",
  digestStartTime: "2015-08-17T14:01:31Z",
  digestEndTime: "2015-08-17T15:01:31Z",
  digestS3Bucket: "S3-bucket-name",
  digestS3Object: KEY,
  digestPublicKeyFingerprint: "31e8b5433410dfb61a9dc45cc65b22ff",
  digestSignatureAlgorithm: "SHA256withRSA",
  previousDigestS3Bucket: null,
  previousDigestS3Object: null,
  previousDigestHashValue: null,
  previousDigestHashAlgorithm: null,
  previousDigestSignature: null,
  logFiles: [],
};

describe("digest format", () => {
  it("signs end time, bucket/key, the digest's SHA-256 and the text null for a chain's first digest", () => {
    assert.equal(
      signingString(digest, "ab".repeat(32)),
      `2015-08-17T15:01:31Z\nS3-bucket-name/${KEY}\n${"ab".repeat(32)}\nnull`,
    );
  });

  it("signs the previous digest's signature when there is one", () => {
    const linked = { ...digest, previousDigestSignature: "50887ccf" };
    assert.match(signingString(linked, "00"), /\n00\n50887ccf$/);
  });

  it("accepts a SHA256withRSA signature made with the private half of a PKCS#1 DER public key", () => {
    const k = signingKey();
    const raw = Buffer.from(JSON.stringify(digest));
    const hash = sha256Hex(raw);
    const sig = sign("sha256", Buffer.from(signingString(digest, hash)), k.privateKey).toString("hex");
    assert.equal(verifyDigestSignature(digest, hash, sig, k.value), true);
    assert.equal(
      verifyDigestSignature({ ...digest, digestEndTime: "2015-08-17T15:01:32Z" }, hash, sig, k.value),
      false,
    );
    assert.equal(verifyDigestSignature(digest, hash, "zz", k.value), false);
    assert.equal(verifyDigestSignature(digest, hash, sig, new Uint8Array([1, 2, 3])), false);
  });

  it("parses a gzipped digest and hashes its uncompressed bytes", () => {
    const raw = Buffer.from(JSON.stringify(digest));
    const parsed = parseDigest(gzipSync(raw));
    assert.equal(parsed.hash, sha256Hex(raw));
    assert.equal(parsed.digest.digestS3Object, KEY);
  });

  it("refuses a digest without a required field, with the field's name", () => {
    const { digestEndTime: _, ...rest } = digest;
    assert.throws(
      () => parseDigest(gzipSync(JSON.stringify(rest))),
      (e: Error) => e instanceof DigestFormatError && /digestEndTime/.test(e.message),
    );
    assert.throws(() => parseDigest(gzipSync("[1]")), DigestFormatError);
    assert.throws(() => parseDigest(Buffer.from([0x1f, 0x8b, 1, 2])), /corrupt gzip/);
    const half = { ...digest, previousDigestS3Object: "x", previousDigestS3Bucket: "b" };
    assert.throws(() => parseDigest(gzipSync(JSON.stringify(half))), /incomplete/);
  });

  it("reads account, regions, trail name (underscores allowed), time and backfill from a digest key", () => {
    const p = parseDigestKey(
      `logs/AWSLogs/o-aa11bb22cc/111122223333/CloudTrail-Digest/eu-west-1/2026/01/02/111122223333_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20260102T030405Z_backfill.json.gz`,
    );
    assert.deepEqual(p, {
      root: "logs/AWSLogs/o-aa11bb22cc/",
      account: "111122223333",
      region: "eu-west-1",
      trailName: "my_trail",
      homeRegion: "us-east-1",
      time: new Date("2026-01-02T03:04:05Z"),
      backfill: true,
    });
    assert.equal(
      digestKeyFor({ ...p!, backfill: true }, p!.time),
      p &&
        `logs/AWSLogs/o-aa11bb22cc/111122223333/CloudTrail-Digest/eu-west-1/2026/01/02/111122223333_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20260102T030405Z_backfill.json.gz`,
    );
    assert.equal(parseDigestKey(KEY)?.time.toISOString(), "2015-08-17T15:01:31.000Z");
    assert.equal(parseDigestKey(KEY.replace("111122223333_", "999999999999_")), undefined);
  });

  it("reads the delivery minute from a log file key and ignores other objects", () => {
    const k =
      "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz";
    assert.equal(parseLogFileKey(k)?.time.toISOString(), "2015-08-17T14:45:00.000Z");
    assert.equal(parseLogFileKey(KEY), undefined);
  });
});
