// The three forms of "a log file was delivered" that arrive on an SQS queue: CloudTrail's own
// notification inside an SNS envelope, the same with raw message delivery, and S3 event
// notifications (Records[].s3, keys URL-encoded with '+' for spaces). Pure: text in, files out.
export interface NotifiedFile {
  bucket: string;
  key: string;
  /** S3 events carry the bucket's region. */
  region?: string;
}

export type ParsedMessage =
  | { kind: "files"; form: "cloudtrail" | "s3-event"; files: NotifiedFile[] }
  | { kind: "test" }
  | { kind: "unknown"; reason: string };

export function parseNotification(body: string, depth = 0): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: "unknown", reason: "message body is not JSON" };
  }
  if (!isObject(value)) return { kind: "unknown", reason: "message body is not a JSON object" };
  if (value.Type === "Notification" && typeof value.Message === "string") {
    if (depth > 0) return { kind: "unknown", reason: "SNS envelope inside an SNS envelope" };
    return parseNotification(value.Message, depth + 1);
  }
  if (typeof value.s3Bucket === "string" && Array.isArray(value.s3ObjectKey)) {
    const keys = value.s3ObjectKey.filter((k): k is string => typeof k === "string" && k.length > 0);
    if (keys.length !== value.s3ObjectKey.length)
      return { kind: "unknown", reason: "s3ObjectKey holds something other than keys" };
    return {
      kind: "files",
      form: "cloudtrail",
      files: keys.map((key) => ({ bucket: value.s3Bucket as string, key })),
    };
  }
  if (value.Event === "s3:TestEvent") return { kind: "test" };
  if (Array.isArray(value.Records) && value.Records.length > 0) {
    const files: NotifiedFile[] = [];
    for (const r of value.Records) {
      const s3 = isObject(r) && isObject(r.s3) ? r.s3 : undefined;
      const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
      const key = s3 && isObject(s3.object) ? s3.object.key : undefined;
      if (typeof bucket !== "string" || typeof key !== "string")
        return { kind: "unknown", reason: "Records[] entry without s3.bucket.name and s3.object.key" };
      // Only new objects matter; removals and the like are acknowledged and dropped.
      if (typeof r.eventName === "string" && !r.eventName.startsWith("ObjectCreated")) continue;
      let decoded: string;
      try {
        decoded = decodeURIComponent(key.replace(/\+/g, " "));
      } catch {
        return { kind: "unknown", reason: "s3.object.key is not valid URL encoding" };
      }
      files.push({ bucket, key: decoded, region: typeof r.awsRegion === "string" ? r.awsRegion : undefined });
    }
    return { kind: "files", form: "s3-event", files };
  }
  return { kind: "unknown", reason: "neither a CloudTrail notification nor an S3 event" };
}

/** The region in a queue URL (sqs.<region>.amazonaws.com or <region>.queue.amazonaws.com). */
export function queueRegion(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname;
  } catch {
    return undefined;
  }
  return (
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(host)?.[1]
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
