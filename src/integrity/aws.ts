// The AWS edge of integrity verification: S3 listings and reads, and CloudTrail ListPublicKeys,
// through the project's SDK clients. Only reads: s3:ListBucket, s3:GetObject,
// cloudtrail:ListPublicKeys.
import { ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { AwsClients } from "../aws/clients.ts";
import { errorCode } from "../aws/clients.ts";
import type { DigestObject } from "./check.ts";
import { hashUncompressed } from "./hash.ts";
import type { ListPublicKeys, PublicKey } from "./keys.ts";
import type { IntegrityReader, LogHash } from "./types.ts";

const NOT_FOUND = new Set(["NoSuchKey", "NotFound"]);

/** ListPublicKeys in a region over [start, end], following NextToken to the last page. */
export function awsPublicKeys(clients: AwsClients, signal?: AbortSignal): ListPublicKeys {
  return async (region, start, end) => {
    const keys: PublicKey[] = [];
    let token: string | undefined;
    do {
      const page = await clients
        .cloudTrail(region)
        .send(new ListPublicKeysCommand({ StartTime: start, EndTime: end, NextToken: token }), {
          abortSignal: signal,
        });
      for (const k of page.PublicKeyList ?? []) {
        if (!k.Fingerprint || !k.Value) continue;
        keys.push({
          fingerprint: k.Fingerprint,
          value: k.Value,
          validityStart: k.ValidityStartTime,
          validityEnd: k.ValidityEndTime,
        });
      }
      token = page.NextToken;
    } while (token);
    return keys;
  };
}

/** Reads a trail's bucket through S3 in `region` (redirects to the bucket's region are followed). */
export function s3IntegrityReader(
  clients: AwsClients,
  region: string,
  signal?: AbortSignal,
): IntegrityReader {
  const s3 = clients.s3(region);
  const get = async (bucket: string, key: string) => {
    try {
      return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    } catch (err) {
      if (NOT_FOUND.has(errorCode(err))) return undefined;
      throw err;
    }
  };
  return {
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
          {
            abortSignal: signal,
          },
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async listFolders(bucket, prefix) {
      const dirs: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: "/",
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        );
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) dirs.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return dirs;
    },
    async getDigest(bucket, key): Promise<DigestObject | undefined> {
      const out = await get(bucket, key);
      if (!out) return undefined;
      if (!out.Body) throw new Error("GetObject returned no body");
      const obj: DigestObject = { bytes: await out.Body.transformToByteArray() };
      if (out.Metadata?.signature) obj.signature = out.Metadata.signature;
      if (out.Metadata?.["signature-algorithm"]) obj.signatureAlgorithm = out.Metadata["signature-algorithm"];
      return obj;
    },
    async hashLogFile(bucket, key): Promise<LogHash | undefined> {
      const out = await get(bucket, key);
      if (!out) return undefined;
      if (!out.Body) throw new Error("GetObject returned no body");
      return hashUncompressed(out.Body as AsyncIterable<Uint8Array>);
    },
  };
}
