// Builds CloudTrail log files and signed digest chains in the public format, with the project's
// own RSA key pair (node:crypto), so integrity verification can be tested end to end. Objects are
// kept in a map of key -> {body, metadata}; put them into the test endpoint's bucket with
// `publishTo`. Tampering is done on the map by the tests (modify, delete, copy).
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { DigestFile } from "../../src/integrity/digest.ts";
import { dayFolder, digestKeyFor, sha256Hex, signingString } from "../../src/integrity/digest.ts";
import { hashUncompressed } from "../../src/integrity/hash.ts";
import type { PublicKey } from "../../src/integrity/keys.ts";
import type { IntegrityReader } from "../../src/integrity/types.ts";
import type { World } from "../endpoint/world.ts";

export interface StoredObject {
  body: Buffer;
  metadata?: Record<string, string>;
}

export interface SigningKey extends PublicKey {
  privateKey: KeyObject;
}

/** A fresh RSA key pair, its public half as ListPublicKeys returns it (PKCS#1 DER). */
export function signingKey(validityStart?: Date, validityEnd?: Date): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const value = publicKey.export({ format: "der", type: "pkcs1" });
  return {
    fingerprint: createHash("md5").update(value).digest("hex"),
    value: new Uint8Array(value),
    validityStart,
    validityEnd,
    privateKey,
  };
}

export interface ChainOptions {
  bucket: string;
  /** S3 key prefix of the trail (without the trailing slash). */
  prefix?: string;
  orgId?: string;
  account: string;
  region: string;
  trailName: string;
  homeRegion?: string;
  key: SigningKey;
}

export interface HourOptions {
  /** Log files delivered in the hour (default 2). */
  files?: number;
  /** Records per log file (default 2). */
  records?: number;
  /** Start a new chain (previousDigest* null), as after logging was stopped. */
  newChain?: boolean;
  backfill?: boolean;
  /** Change the digest before it is signed (to sign wrong content on purpose). */
  alter?: (d: DigestFile) => void;
}

const p2 = (n: number) => String(n).padStart(2, "0");

function logStamp(t: Date): string {
  return `${t.getUTCFullYear()}${p2(t.getUTCMonth() + 1)}${p2(t.getUTCDate())}T${p2(t.getUTCHours())}${p2(t.getUTCMinutes())}Z`;
}

export class DigestChain {
  readonly objects = new Map<string, StoredObject>();
  /** Digest keys in the order they were written. */
  readonly digests: string[] = [];
  /** Log file keys in the order they were written. */
  readonly logFiles: string[] = [];
  readonly root: string;
  private key: SigningKey;
  private previous: { key: string; signature: string; hash: string; end: Date } | undefined;
  private previousBackfill: { key: string; signature: string; hash: string; end: Date } | undefined;
  private seq = 0;

  constructor(readonly opts: ChainOptions) {
    this.key = opts.key;
    this.root = `${opts.prefix ? `${opts.prefix}/` : ""}AWSLogs/${opts.orgId ? `${opts.orgId}/` : ""}`;
  }

  get homeRegion(): string {
    return this.opts.homeRegion ?? this.opts.region;
  }

  /** Sign the next digests with another key (a key rotation). */
  rotate(key: SigningKey): void {
    this.key = key;
  }

  /** A log file delivered at `t` (its name carries the minute). */
  logFile(t: Date, records = 2): { key: string; raw: Buffer } {
    const { account, region } = this.opts;
    const unique = `${randomBytes(6).toString("hex")}${(this.seq++).toString(36)}`.replace(
      /[^A-Za-z0-9]/g,
      "",
    );
    const key = `${this.root}${account}/CloudTrail/${region}/${dayFolder(t)}${account}_CloudTrail_${region}_${logStamp(t)}_${unique}.json.gz`;
    const Records = Array.from({ length: records }, (_, i) => ({
      eventVersion: "1.09",
      eventID: `${unique}-${i}`,
      eventTime: new Date(t.getTime() - 60_000 * (i + 1)).toISOString().replace(/\.\d{3}Z$/, "Z"),
      eventSource: "s3.amazonaws.com",
      eventName: "GetBucketAcl",
      awsRegion: region,
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0",
      userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${account}:user/alice`, accountId: account },
      recipientAccountId: account,
      readOnly: true,
      managementEvent: true,
      eventType: "AwsApiCall",
    }));
    const raw = Buffer.from(JSON.stringify({ Records }));
    this.objects.set(key, { body: gzipSync(raw) });
    this.logFiles.push(key);
    return { key, raw };
  }

  /**
   * One digest period [start, end] (end defaults to start + 1 h) with its log files delivered
   * inside it, signed and chained to the previous digest of the same kind.
   */
  hour(start: Date, opts: HourOptions = {}, end = new Date(start.getTime() + 3_600_000)): string {
    const files: DigestFile["logFiles"] = [];
    const count = opts.files ?? 2;
    for (let i = 0; i < count; i++) {
      const at = new Date(start.getTime() + ((i + 1) * (end.getTime() - start.getTime())) / (count + 1));
      const { key, raw } = this.logFile(at, opts.records);
      files.push({
        s3Bucket: this.opts.bucket,
        s3Object: key,
        hashValue: sha256Hex(raw),
        hashAlgorithm: "SHA-256",
        newestEventTime: new Date(at.getTime() - 60_000).toISOString(),
        oldestEventTime: new Date(at.getTime() - 120_000).toISOString(),
      });
    }
    return this.digest(start, end, files, opts);
  }

  /** Write a signed digest listing `files`. */
  digest(start: Date, end: Date, files: DigestFile["logFiles"], opts: HourOptions = {}): string {
    const { bucket, account, region, trailName } = this.opts;
    const backfill = opts.backfill ?? false;
    const key = digestKeyFor(
      { root: this.root, account, region, trailName, homeRegion: this.homeRegion, backfill },
      end,
    );
    const prev = opts.newChain ? undefined : backfill ? this.previousBackfill : this.previous;
    const iso = (t: Date) => t.toISOString().replace(/\.\d{3}Z$/, "Z");
    const d: DigestFile = {
      awsAccountId: account,
      digestStartTime: iso(start),
      digestEndTime: iso(end),
      digestS3Bucket: bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: this.key.fingerprint,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: files.length ? iso(end) : null,
      oldestEventTime: files.length ? iso(start) : null,
      previousDigestS3Bucket: prev ? bucket : null,
      previousDigestS3Object: prev?.key ?? null,
      previousDigestHashValue: prev?.hash ?? null,
      previousDigestHashAlgorithm: prev ? "SHA-256" : null,
      previousDigestSignature: prev?.signature ?? null,
      logFiles: files,
    };
    opts.alter?.(d);
    const raw = Buffer.from(JSON.stringify(d));
    const hash = sha256Hex(raw);
    const signature = sign("sha256", Buffer.from(signingString(d, hash)), this.key.privateKey).toString(
      "hex",
    );
    this.objects.set(key, {
      body: gzipSync(raw),
      metadata: { signature, "signature-algorithm": "SHA256withRSA" },
    });
    this.digests.push(key);
    const link = { key, signature, hash, end };
    if (backfill) this.previousBackfill = link;
    else this.previous = link;
    return key;
  }

  /** Replace a log file's content (keeps the key): what an attacker editing the log does. */
  modify(key: string, edit: (records: Record<string, unknown>[]) => void): void {
    const obj = this.objects.get(key);
    if (!obj) throw new Error(`no object ${key}`);
    const doc = JSON.parse(gunzipSync(obj.body).toString("utf8")) as { Records: Record<string, unknown>[] };
    edit(doc.Records);
    this.objects.set(key, { ...obj, body: gzipSync(Buffer.from(JSON.stringify(doc))) });
  }

  /** Put every object into a bucket of the test endpoint. */
  publishTo(world: World): void {
    for (const [key, o] of this.objects)
      world.putObject(this.opts.bucket, key, o.body, new Date(), o.metadata);
  }
}

/** An IntegrityReader over the chain's object map (unit tests of the verification core). */
export function memoryReader(objects: Map<string, StoredObject>, bucket: string): IntegrityReader {
  const check = (b: string) => {
    if (b !== bucket) throw Object.assign(new Error(`no bucket ${b}`), { name: "NoSuchBucket" });
  };
  return {
    async listKeys(b, prefix) {
      check(b);
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async listFolders(b, prefix) {
      check(b);
      const dirs = new Set<string>();
      for (const k of objects.keys()) {
        if (!k.startsWith(prefix)) continue;
        const i = k.indexOf("/", prefix.length);
        if (i >= 0) dirs.add(k.slice(0, i + 1));
      }
      return [...dirs].sort();
    },
    async getDigest(b, key) {
      check(b);
      const o = objects.get(key);
      if (!o) return undefined;
      return {
        bytes: o.body,
        signature: o.metadata?.signature,
        signatureAlgorithm: o.metadata?.["signature-algorithm"],
      };
    },
    async hashLogFile(b, key) {
      check(b);
      const o = objects.get(key);
      return o ? hashUncompressed(o.body) : undefined;
    },
  };
}
