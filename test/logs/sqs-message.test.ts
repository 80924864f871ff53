import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseNotification, queueRegion } from "../../src/logs/sqs-message.ts";

const KEY =
  "AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/111111111111_CloudTrail_us-east-1_20261120T1000Z_abc.json.gz";
const cloudTrail = JSON.stringify({ s3Bucket: "logs", s3ObjectKey: [KEY] });

describe("SQS notification parsing", () => {
  it("reads CloudTrail's notification inside an SNS envelope", () => {
    const body = JSON.stringify({
      Type: "Notification",
      MessageId: "m",
      TopicArn: "arn:aws:sns:us-east-1:1:t",
      Message: cloudTrail,
    });
    assert.deepEqual(parseNotification(body), {
      kind: "files",
      form: "cloudtrail",
      files: [{ bucket: "logs", key: KEY }],
    });
  });

  it("reads CloudTrail's notification delivered raw", () => {
    assert.deepEqual(parseNotification(cloudTrail), {
      kind: "files",
      form: "cloudtrail",
      files: [{ bucket: "logs", key: KEY }],
    });
  });

  it("reads S3 event notifications and URL-decodes their keys", () => {
    const body = JSON.stringify({
      Records: [
        {
          eventName: "ObjectCreated:Put",
          awsRegion: "eu-west-1",
          s3: { bucket: { name: "b" }, object: { key: "a+b/c%3Dd.json.gz" } },
        },
        { eventName: "ObjectRemoved:Delete", s3: { bucket: { name: "b" }, object: { key: "gone" } } },
      ],
    });
    assert.deepEqual(parseNotification(body), {
      kind: "files",
      form: "s3-event",
      files: [{ bucket: "b", key: "a b/c=d.json.gz", region: "eu-west-1" }],
    });
  });

  it("recognises the S3 test event", () => {
    assert.deepEqual(parseNotification('{"Service":"Amazon S3","Event":"s3:TestEvent"}'), { kind: "test" });
  });

  it("calls anything else unknown, with a reason", () => {
    for (const body of [
      "not json",
      "[1]",
      '{"hello":1}',
      '{"Records":[{"foo":1}]}',
      '{"s3Bucket":"b","s3ObjectKey":[1]}',
    ]) {
      const parsed = parseNotification(body);
      assert.equal(parsed.kind, "unknown", body);
    }
  });

  it("finds the region in a queue URL", () => {
    assert.equal(queueRegion("https://sqs.eu-west-2.amazonaws.com/111111111111/q"), "eu-west-2");
    assert.equal(queueRegion("http://127.0.0.1:4566/111111111111/q"), undefined);
  });
});
