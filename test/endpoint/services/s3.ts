// S3 (REST-XML, path-style addressing): the bucket and object operations trailwarden uses.
import { createHash } from "node:crypto";
import type { EndpointRequest, Reply, ServiceModule } from "../protocol.ts";
import { AwsError, type Bucket, type World } from "../world.ts";
import { type XmlObject, xmlDocument } from "../xml.ts";

const NS = "http://s3.amazonaws.com/doc/2006-03-01/";

function splitPath(path: string): { bucket: string; key: string } {
  const p = path.replace(/^\//, "");
  const i = p.indexOf("/");
  if (i < 0) return { bucket: decodeURIComponent(p), key: "" };
  return { bucket: decodeURIComponent(p.slice(0, i)), key: decodeURIComponent(p.slice(i + 1)) };
}

function bucketFor(req: EndpointRequest, world: World, name: string): Bucket {
  const bucket = world.buckets.get(name);
  if (!bucket) throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404);
  if (bucket.ownerAccountId !== req.accountId && !bucket.allowAccounts.includes(req.accountId)) {
    throw new AwsError("AccessDenied", "Access Denied", 403);
  }
  return bucket;
}

function xml(root: string, body: XmlObject): { raw: string; headers: Record<string, string> } {
  return { raw: xmlDocument(root, body, NS), headers: { "content-type": "application/xml" } };
}

function etag(body: Buffer): string {
  return `"${createHash("md5").update(body).digest("hex")}"`;
}

function listObjectsV2(bucket: Bucket, q: URLSearchParams) {
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = Math.min(Number(q.get("max-keys") ?? 1000), 1000);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  const after = token ? Buffer.from(token, "base64").toString("utf8") : startAfter;
  const urlEncode = q.get("encoding-type") === "url";
  const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, "/") : s);

  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  const contents: XmlObject[] = [];
  const prefixes: string[] = [];
  let last = "";
  let truncated = false;
  for (const key of keys) {
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (delimiter) {
      const rest = key.slice(prefix.length);
      const d = rest.indexOf(delimiter);
      if (d >= 0) {
        const common = prefix + rest.slice(0, d + delimiter.length);
        if (prefixes[prefixes.length - 1] !== common) prefixes.push(common);
        // Skip past every key under this common prefix.
        last = `${common}\uffff`;
        continue;
      }
    }
    const obj = bucket.objects.get(key)!;
    contents.push({
      Key: enc(key),
      LastModified: obj.lastModified.toISOString(),
      ETag: etag(obj.body),
      Size: obj.body.length,
      StorageClass: "STANDARD",
    });
    last = key;
  }
  // Keys under an already-listed common prefix must not start the next page.
  if (truncated && last.endsWith("\uffff")) truncated = keys.some((k) => k > last);
  return xml("ListBucketResult", {
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    StartAfter: startAfter ? enc(startAfter) : undefined,
    ContinuationToken: token ?? undefined,
    EncodingType: urlEncode ? "url" : undefined,
    KeyCount: contents.length + prefixes.length,
    MaxKeys: maxKeys,
    IsTruncated: truncated,
    NextContinuationToken: truncated ? Buffer.from(last).toString("base64") : undefined,
    Contents: contents,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

export const s3: ServiceModule = {
  name: "s3",
  protocol: "rest-xml",
  global: true,
  route(method, path, query) {
    const { key } = splitPath(path);
    if (!key) {
      if (query.has("encryption")) return "GetBucketEncryption";
      if (query.has("location")) return "GetBucketLocation";
      if (method === "HEAD") return "HeadBucket";
      if (query.get("list-type") === "2") return "ListObjectsV2";
      if (method === "GET") return "ListObjects";
      return `${method}Bucket`;
    }
    if (method === "GET") return "GetObject";
    if (method === "HEAD") return "HeadObject";
    if (method === "PUT") return "PutObject";
    if (method === "DELETE") return "DeleteObject";
    return `${method}Object`;
  },
  handle(req, world): Reply {
    const { bucket: name, key } = splitPath(req.path);
    const bucket = bucketFor(req, world, name);
    switch (req.operation) {
      case "HeadBucket":
        return { headers: { "x-amz-bucket-region": bucket.region } };
      case "GetBucketLocation":
        return {
          raw: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${NS}">${bucket.region === "us-east-1" ? "" : bucket.region}</LocationConstraint>`,
          headers: { "content-type": "application/xml" },
        };
      case "GetBucketEncryption": {
        if (!bucket.encryption) {
          throw new AwsError(
            "ServerSideEncryptionConfigurationNotFoundError",
            "The server side encryption configuration was not found",
            404,
          );
        }
        return xml("ServerSideEncryptionConfiguration", {
          Rule: {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: bucket.encryption.algorithm,
              KMSMasterKeyID: bucket.encryption.kmsKeyId,
            },
            BucketKeyEnabled: false,
          },
        });
      }
      case "ListObjectsV2":
        return listObjectsV2(bucket, req.query);
      case "GetObject":
      case "HeadObject": {
        const obj = bucket.objects.get(key);
        if (!obj) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404);
        const headers: Record<string, string> = {
          "content-type": "application/octet-stream",
          "content-length": String(obj.body.length),
          "last-modified": obj.lastModified.toUTCString(),
          etag: etag(obj.body),
        };
        for (const [k, v] of Object.entries(obj.metadata ?? {})) headers[`x-amz-meta-${k}`] = v;
        return { raw: req.operation === "GetObject" ? obj.body : "", headers };
      }
      case "PutObject": {
        // User metadata travels as x-amz-meta-<name> headers (names are case-insensitive).
        const metadata: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers))
          if (h.toLowerCase().startsWith("x-amz-meta-") && typeof v === "string")
            metadata[h.toLowerCase().slice("x-amz-meta-".length)] = v;
        bucket.objects.set(key, {
          body: req.body,
          lastModified: new Date(),
          ...(Object.keys(metadata).length ? { metadata } : {}),
        });
        return { headers: { etag: etag(req.body) } };
      }
      case "DeleteObject":
        bucket.objects.delete(key);
        return { status: 204 };
      default:
        throw new AwsError(
          "NotImplemented",
          `s3 ${req.operation} is not implemented by the test endpoint`,
          501,
        );
    }
  },
};
