import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScan } from "../../src/logs/scan.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { addQueue, enqueue, type Queue } from "../endpoint/services/sqs.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import {
  ctKey,
  detectedEventIds,
  eventNameDetector,
  logBody,
  readDetections,
  record,
  tempDir,
  testConfig,
} from "./support.ts";

const A = "111111111111";
const BUCKET = "org-trail";

describe("scanning an sqs:// source", () => {
  let ep: AwsTestEndpoint;
  let n = 0;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
    ep.world.addBucket(BUCKET, A);
  });
  after(() => ep.stop());

  function setup(sqs: Partial<ReturnType<typeof testConfig>["logs"]["sqs"]> = {}) {
    const name = `q${++n}`;
    const queue = addQueue(ep.world, A, name);
    const url = `sqs://${ep.url}/${A}/${name}`;
    const consumer = () => {
      const config = testConfig(
        tempDir(),
        {
          sources: [url],
          sqs: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 5, maxReceiveCount: 3, ...sqs },
        },
        { endpoint: ep.url },
      );
      const clients = clientsFor(ep, A, { maxAttempts: 1 });
      return { config, scan: () => runScan({ config, clients, detector: eventNameDetector() }) };
    };
    return { queue, consumer };
  }

  function putLog(unique: string, records: unknown[]): string {
    const key = ctKey(A, "us-east-1", new Date(), unique);
    ep.world.putObject(BUCKET, key, logBody(records));
    return key;
  }

  const live = (q: Queue) => q.messages.filter((m) => !m.deleted);

  it("accepts CloudTrail notifications in an SNS envelope, raw, and S3 event notifications", async () => {
    const { queue, consumer } = setup();
    const k1 = putLog("sns", [record("sns", "StopLogging")]);
    const k2 = putLog("raw", [record("raw", "StopLogging")]);
    const k3 = putLog("evt", [record("evt", "StopLogging")]);
    const ct = (key: string) => JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] });
    enqueue(
      queue,
      JSON.stringify({ Type: "Notification", TopicArn: "arn:aws:sns:us-east-1:1:t", Message: ct(k1) }),
    );
    enqueue(queue, ct(k2));
    enqueue(
      queue,
      JSON.stringify({
        Records: [
          {
            eventName: "ObjectCreated:Put",
            s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(k3) } },
          },
        ],
      }),
    );
    const c = consumer();
    const summary = await c.scan();
    assert.equal(summary.files.read, 3);
    assert.deepEqual(detectedEventIds(c.config), ["evt", "raw", "sns"]);
    assert.equal(live(queue).length, 0);
    assert.deepEqual(summary.sources[0].messages, { received: 3, deleted: 3, setAside: 0, unknown: 0 });
  });

  it("gives one detection when the same file is notified twice", async () => {
    const { queue, consumer } = setup();
    const key = putLog("twice", [record("twice", "StopLogging")]);
    enqueue(queue, JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }));
    enqueue(
      queue,
      JSON.stringify({
        Type: "Notification",
        Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }),
      }),
    );
    const c = consumer();
    const summary = await c.scan();
    assert.deepEqual(
      readDetections(c.config).map((d) => d.eventID),
      ["twice"],
    );
    assert.equal(summary.sources[0].messages?.deleted, 2);
  });

  it("keeps polling without drain until its signal aborts", async () => {
    const { queue, consumer } = setup();
    const c = consumer();
    const controller = new AbortController();
    const running = runScan({
      config: c.config,
      clients: clientsFor(ep, A, { maxAttempts: 1 }),
      detector: eventNameDetector(),
      drain: false,
      signal: controller.signal,
      onDetection: () => controller.abort(),
    });
    // Sent after the first empty long polls: a draining scan would have stopped already.
    await new Promise((r) => setTimeout(r, 2500));
    enqueue(
      queue,
      JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [putLog("later", [record("later", "StopLogging")])] }),
    );
    const summary = await running;
    assert.equal(summary.files.read, 1);
    assert.deepEqual(
      readDetections(c.config).map((d) => d.eventID),
      ["later"],
    );
  });

  it("reports and deletes a message in an unknown format", async () => {
    const { queue, consumer } = setup();
    enqueue(queue, "this is not a notification");
    const summary = await consumer().scan();
    assert.equal(summary.sources[0].messages?.unknown, 1);
    assert.equal(live(queue).length, 0);
  });

  it("sets aside a message received too often, leaving it on the queue", async () => {
    const { queue, consumer } = setup({ maxReceiveCount: 2 });
    const m = enqueue(
      queue,
      JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [putLog("poison", [record("p")])] }),
    );
    m.receiveCount = 2;
    const summary = await consumer().scan();
    assert.equal(summary.sources[0].messages?.setAside, 1);
    assert.equal(summary.files.read, 0);
    assert.match(summary.errors[0].message, /set aside/);
    assert.equal(m.deleted, false);
  });

  it("quarantines a notified file that does not exist, by key, and deletes its message", async () => {
    const { queue, consumer } = setup();
    const key = ctKey(A, "us-east-1", new Date(), "missing");
    const m = enqueue(queue, JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }));
    const summary = await consumer().scan();
    assert.equal(summary.files.quarantined, 1);
    assert.equal(summary.quarantine[0].file, `s3://${BUCKET}/${key}`);
    assert.match(summary.quarantine[0].reason, /NoSuchKey/);
    assert.equal(m.deleted, true, "the store remembers the key; the message is not needed to retry it");
  });

  it("extends the visibility of a message while its files are read", async () => {
    const { queue, consumer } = setup({ visibilityTimeoutSeconds: 1 });
    const m = enqueue(
      queue,
      JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [putLog("slow", [record("slow")])] }),
    );
    const rule = ep.faults.add({ kind: "latency", service: "s3", operation: "GetObject", ms: 1800 });
    const changes = ep.count({ operation: "ChangeMessageVisibility" });
    try {
      await consumer().scan();
    } finally {
      ep.faults.rules.splice(ep.faults.rules.indexOf(rule), 1);
    }
    assert.ok(ep.count({ operation: "ChangeMessageVisibility" }) > changes);
    assert.equal(m.receiveCount, 1);
    assert.equal(m.deleted, true);
  });

  it("shares the work between two consumers on one queue, each file exactly once", async () => {
    const { queue, consumer } = setup();
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) {
      const key = putLog(`f${i}`, [record(`f${i}`, "StopLogging")]);
      keys.push(key);
      enqueue(queue, JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }));
    }
    ep.faults.latencyMs = 5;
    const c1 = consumer();
    const c2 = consumer();
    try {
      await Promise.all([c1.scan(), c2.scan()]);
    } finally {
      ep.faults.latencyMs = 0;
    }
    const d1 = readDetections(c1.config).map((d) => d.eventID);
    const d2 = readDetections(c2.config).map((d) => d.eventID);
    assert.ok(d1.length > 0 && d2.length > 0, `both consumers worked (${d1.length} + ${d2.length})`);
    assert.deepEqual([...d1, ...d2].sort(), keys.map((_, i) => `f${i}`).sort());
    assert.equal(live(queue).length, 0);
  });
});
