// S3 (REST-XML, path-style addressing): the bucket and object operations trailwarden uses.
import { createHash } from "node:crypto";
import type { EndpointRequest, Reply, ServiceModule } from "../protocol.ts";
import { AwsError, type Bucket, type PublicAccessBlockDef, type World } from "../world.ts";
import { escapeXml, type XmlObject, xmlDocument } from "../xml.ts";

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

const BUCKET_SUBRESOURCES: [string, string][] = [
  ["encryption", "GetBucketEncryption"],
  ["policy", "GetBucketPolicy"],
  ["acl", "GetBucketAcl"],
  ["publicAccessBlock", "GetPublicAccessBlock"],
  ["logging", "GetBucketLogging"],
  ["versioning", "GetBucketVersioning"],
  ["object-lock", "GetObjectLockConfiguration"],
  ["lifecycle", "GetBucketLifecycleConfiguration"],
];

export const pabXml = (root: string, c: PublicAccessBlockDef, ns: string) => ({
  raw: xmlDocument(root, { ...c }, ns),
  headers: { "content-type": "application/xml" },
});

/** Bucket configuration reads (GET ?policy, ?acl, ...): each answers as S3 does, absent ones with S3's error. */
function bucketSubresource(op: string, bucket: Bucket): Reply | undefined {
  switch (op) {
    case "GetBucketPolicy":
      if (!bucket.policy) throw new AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404);
      return { raw: bucket.policy, headers: { "content-type": "application/json" } };
    case "GetBucketAcl": {
      const owner = `${bucket.ownerAccountId}canonical`;
      const grant = (grantee: string, permission: string) =>
        `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${grantee}</Grantee><Permission>${permission}</Permission></Grant>`;
      const grants = [
        grant(`xsi:type="CanonicalUser"><ID>${owner}</ID>`, "FULL_CONTROL"),
        ...(bucket.aclGrants ?? []).map((g) =>
          g.uri
            ? grant(`xsi:type="Group"><URI>${escapeXml(g.uri)}</URI>`, g.permission)
            : grant(`xsi:type="CanonicalUser"><ID>${escapeXml(g.id ?? "")}</ID>`, g.permission),
        ),
      ];
      return {
        raw: `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${NS}"><Owner><ID>${owner}</ID></Owner><AccessControlList>${grants.join("")}</AccessControlList></AccessControlPolicy>`,
        headers: { "content-type": "application/xml" },
      };
    }
    case "GetPublicAccessBlock":
      if (!bucket.publicAccessBlock)
        throw new AwsError(
          "NoSuchPublicAccessBlockConfiguration",
          "The public access block configuration was not found",
          404,
        );
      return pabXml("PublicAccessBlockConfiguration", bucket.publicAccessBlock, NS);
    case "GetBucketLogging":
      return xml("BucketLoggingStatus", {
        LoggingEnabled: bucket.logging
          ? { TargetBucket: bucket.logging.targetBucket, TargetPrefix: bucket.logging.targetPrefix ?? "" }
          : undefined,
      });
    case "GetBucketVersioning":
      return xml("VersioningConfiguration", {
        Status: bucket.versioning?.status,
        MfaDelete: bucket.versioning?.mfaDelete,
      });
    case "GetObjectLockConfiguration": {
      const lock = bucket.objectLock;
      if (!lock)
        throw new AwsError(
          "ObjectLockConfigurationNotFoundError",
          "Object Lock configuration does not exist for this bucket",
          404,
        );
      return xml("ObjectLockConfiguration", {
        ObjectLockEnabled: "Enabled",
        Rule: lock.mode
          ? { DefaultRetention: { Mode: lock.mode, Days: lock.days, Years: lock.years } }
          : undefined,
      });
    }
    case "GetBucketLifecycleConfiguration":
      if (!bucket.lifecycle?.length)
        throw new AwsError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404);
      return xml("LifecycleConfiguration", {
        Rule: bucket.lifecycle.map((r) => ({
          ID: r.id,
          Filter: { Prefix: r.prefix ?? "" },
          Status: r.status,
          Expiration: r.expirationDays !== undefined ? { Days: r.expirationDays } : undefined,
        })),
      });
    default:
      return undefined;
  }
}

function listBuckets(req: EndpointRequest, world: World): Reply {
  const own = [...world.buckets.values()]
    .filter((b) => b.ownerAccountId === req.accountId)
    .sort((a, b) => a.name.localeCompare(b.name));
  const max = Math.min(Number(req.query.get("max-buckets") ?? 10000), 10000);
  const after = req.query.get("continuation-token") ?? "";
  const page = own.filter((b) => b.name > after).slice(0, max);
  const more = own.filter((b) => b.name > after).length > page.length;
  return xml("ListAllMyBucketsResult", {
    Owner: { ID: `${req.accountId}canonical` },
    Buckets: {
      Bucket: page.map((b) => ({
        Name: b.name,
        CreationDate: "2026-01-01T00:00:00.000Z",
        BucketRegion: b.region,
      })),
    },
    ContinuationToken: more ? page[page.length - 1].name : undefined,
  });
}

export const s3: ServiceModule = {
  name: "s3",
  protocol: "rest-xml",
  global: true,
  route(method, path, query) {
    if (path === "/" && method === "GET") return "ListBuckets";
    const { key } = splitPath(path);
    if (!key) {
      if (method === "GET") for (const [sub, op] of BUCKET_SUBRESOURCES) if (query.has(sub)) return op;
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
    if (req.operation === "ListBuckets") return listBuckets(req, world);
    const { bucket: name, key } = splitPath(req.path);
    const bucket = bucketFor(req, world, name);
    const sub = bucketSubresource(req.operation, bucket);
    if (sub) return sub;
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
