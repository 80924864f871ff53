import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScan } from "../../src/logs/scan.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
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
const B = "222222222222";
const HOUR = 3_600_000;

describe("scanning an s3:// source", () => {
  let ep: AwsTestEndpoint;
  let bucketNo = 0;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
  });
  after(() => ep.stop());

  function setup(logs: Parameters<typeof testConfig>[1] = {}) {
    const bucket = `trail-logs-${++bucketNo}`;
    ep.world.addBucket(bucket, A);
    const config = testConfig(tempDir(), { sources: [`s3://${bucket}/base`], ...logs });
    const clients = clientsFor(ep, A, { maxAttempts: 1 });
    const put = (key: string, records: unknown[]) =>
      ep.world.putObject(bucket, `base/${key}`, logBody(records));
    const scan = (extra: Partial<Parameters<typeof runScan>[0]> = {}) =>
      runScan({ config, clients, detector: eventNameDetector(), ...extra });
    const listCalls = () => ep.calls.filter((c) => c.operation === "ListObjectsV2").length;
    return { bucket, config, put, scan, listCalls };
  }

  it("discovers accounts and regions, also below an organization level", async () => {
    const { put, scan, config } = setup();
    const t = new Date(Date.now() - HOUR);
    put(ctKey(A, "us-east-1", t, "a1"), [record("a1", "StopLogging")]);
    put(ctKey(A, "eu-west-1", t, "a2"), [record("a2", "StopLogging")]);
    put(ctKey(B, "us-east-1", t, "b1", "AWSLogs/o-abcdef1234/"), [record("b1", "StopLogging")]);
    const summary = await scan();
    assert.equal(summary.files.read, 3);
    assert.deepEqual(detectedEventIds(config), ["a1", "a2", "b1"]);
    assert.ok(readDetections(config).every((d) => d.logFile.startsWith("s3://")));
  });

  it("skips digest and insight folders unless asked, and counts other objects", async () => {
    const { put, scan, config } = setup();
    const t = new Date(Date.now() - HOUR);
    put(ctKey(A, "us-east-1", t, "ok"), [record("ok", "StopLogging")]);
    put(ctKey(A, "us-east-1", t, "dg").replace("/CloudTrail/", "/CloudTrail-Digest/"), [
      record("dg", "StopLogging"),
    ]);
    put(ctKey(A, "us-east-1", t, "in").replace(/CloudTrail(?=[/_])/g, "CloudTrail-Insight"), [
      record("in", "StopLogging"),
    ]);
    put(`AWSLogs/${A}/CloudTrail/us-east-1/readme.txt`, [record("x", "StopLogging")]);
    const summary = await scan();
    assert.equal(summary.files.read, 1);
    assert.equal(summary.files.ignored, 1);
    assert.deepEqual(
      readDetections(config).map((d) => d.eventID),
      ["ok"],
    );

    const withInsight = setup({ includeInsight: true });
    withInsight.put(ctKey(A, "us-east-1", t, "in").replace(/CloudTrail(?=[/_])/g, "CloudTrail-Insight"), [
      record("in", "StopLogging"),
    ]);
    await withInsight.scan();
    assert.deepEqual(
      readDetections(withInsight.config).map((d) => d.eventID),
      ["in"],
    );
  });

  it("starts a first run at the look-back, or at --since", async () => {
    const old = new Date(Date.now() - 5 * 24 * HOUR);
    const recent = new Date(Date.now() - HOUR);
    const byDefault = setup();
    byDefault.put(ctKey(A, "us-east-1", old, "old"), [record("old")]);
    byDefault.put(ctKey(A, "us-east-1", recent, "new"), [record("new")]);
    assert.equal((await byDefault.scan()).files.read, 1);
    const withSince = setup();
    withSince.put(ctKey(A, "us-east-1", old, "old"), [record("old")]);
    withSince.put(ctKey(A, "us-east-1", recent, "new"), [record("new")]);
    assert.equal((await withSince.scan({ since: new Date(Date.now() - 7 * 24 * HOUR) })).files.read, 2);
  });

  it("resumes from the cursor on restart without listing the history again", async () => {
    const { put, scan, listCalls } = setup();
    const days = 400;
    for (let d = days; d >= 1; d--)
      for (let i = 0; i < 3; i++)
        put(ctKey(A, "us-east-1", new Date(Date.now() - d * 24 * HOUR + i * HOUR), `h${d}x${i}`), [
          record(`h${d}-${i}`),
        ]);
    const before1 = listCalls();
    const first = await scan({ since: new Date(Date.now() - (days + 1) * 24 * HOUR) });
    assert.equal(first.files.read, days * 3);
    const firstCalls = listCalls() - before1;
    assert.ok(firstCalls >= 3, `the history spans pages (${firstCalls} calls)`);
    put(ctKey(A, "us-east-1", new Date(Date.now() - 10 * 60_000), "n1"), [record("n1")]);
    put(ctKey(A, "us-east-1", new Date(Date.now() - 5 * 60_000), "n2"), [record("n2")]);
    const before2 = listCalls();
    const second = await scan();
    assert.equal(second.files.read, 2);
    // AWSLogs/ (accounts), <account>/CloudTrail/ (regions), one page of the region folder.
    assert.equal(listCalls() - before2, 3);
  });

  it("finds a file delivered late, inside the look-back", async () => {
    const { put, scan, config } = setup();
    put(ctKey(A, "us-east-1", new Date(Date.now() - 30 * 60_000), "recent"), [record("recent")]);
    await scan();
    // Delivered now, but its key carries a time before the cursor.
    put(ctKey(A, "us-east-1", new Date(Date.now() - 3 * HOUR), "late"), [record("late", "StopLogging")]);
    const second = await scan();
    assert.equal(second.files.read, 1);
    assert.equal(second.files.skipped, 1);
    assert.deepEqual(
      readDetections(config).map((d) => d.eventID),
      ["late"],
    );
  });

  it("does not stack retries on the SDK's, quarantines a failed download and reads it next run", async () => {
    const { put, scan, config } = setup();
    put(ctKey(A, "us-east-1", new Date(Date.now() - HOUR), "flaky"), [record("flaky", "StopLogging")]);
    const gets = () => ep.count({ operation: "GetObject" });
    const g0 = gets();
    ep.faults.add({ kind: "server-error", service: "s3", operation: "GetObject", times: 1 });
    const first = await scan();
    assert.equal(gets() - g0, 1, "the SDK's attempts (maxAttempts 1 here), and no more");
    assert.equal(first.files.failed, 1);
    assert.equal(first.quarantine[0].kind, "transient");
    assert.match(first.errors[0].message, /not read \(transient\)/);
    assert.equal(readDetections(config).length, 0);
    const second = await scan();
    assert.equal(second.files.read, 1);
    assert.deepEqual(
      readDetections(config).map((d) => d.eventID),
      ["flaky"],
    );
  });

  it("reports a folder whose listing fails by account and region, and reads the others", async () => {
    const { put, scan } = setup({ accounts: [A], regions: ["eu-west-1", "us-east-1"] });
    const t = new Date(Date.now() - HOUR);
    put(ctKey(A, "eu-west-1", t, "e"), [record("e")]);
    put(ctKey(A, "us-east-1", t, "u"), [record("u")]);
    // The first call lists the accounts; the next one, a region folder, is denied.
    ep.faults.add({
      kind: "deny",
      code: "AccessDenied",
      status: 403,
      operation: "ListObjectsV2",
      skip: 1,
      times: 1,
    });
    const summary = await scan();
    assert.equal(summary.files.read, 1);
    assert.equal(summary.errors.length, 1);
    assert.match(
      summary.errors[0].message,
      /listing base\/AWSLogs\/111111111111\/CloudTrail\/(eu-west-1|us-east-1)\/ failed: AccessDenied/,
    );
  });

  it("quarantines an object it may not read, moves the cursor past it, and reads it once allowed", async () => {
    const { put, scan, config } = setup();
    const t = Date.now() - HOUR;
    put(ctKey(A, "us-east-1", new Date(t), "denied"), [record("denied", "StopLogging")]);
    put(ctKey(A, "us-east-1", new Date(t + 60_000), "after"), [record("after", "StopLogging")]);
    ep.faults.add({
      kind: "deny",
      code: "AccessDenied",
      status: 403,
      service: "s3",
      operation: "GetObject",
      times: 1,
    });
    const first = await scan();
    assert.equal(first.files.quarantined, 1);
    assert.equal(first.files.read, 1);
    assert.equal(first.quarantine[0].kind, "permanent");
    assert.match(first.quarantine[0].file, /denied/);
    // The retry waits for its backoff: a scan now does not read it.
    const second = await scan();
    assert.equal(second.files.read, 0);
    const retry = await scan({ now: new Date(Date.now() + 16 * 60_000) });
    assert.equal(retry.files.read, 1);
    assert.deepEqual(
      readDetections(config)
        .map((d) => d.eventID)
        .sort(),
      ["after", "denied"],
    );
  });

  it("still reads a file that failed on a first run after the look-back has moved past it", async () => {
    const { put, scan, config } = setup();
    put(ctKey(A, "us-east-1", new Date(Date.now() - HOUR), "late"), [record("late", "StopLogging")]);
    ep.faults.add({ kind: "server-error", service: "s3", operation: "GetObject", times: 1 });
    const first = await scan();
    assert.equal(first.files.failed, 1);
    // Three days later the file is far outside the 24 h look-back: no listing reaches it.
    const later = await scan({ now: new Date(Date.now() + 72 * HOUR) });
    assert.equal(later.files.read, 1);
    assert.deepEqual(
      readDetections(config).map((d) => d.eventID),
      ["late"],
    );
  });

  it("reports a bad object by its S3 key and does not read it again", async () => {
    const { bucket, scan } = setup();
    const key = `base/${ctKey(A, "us-east-1", new Date(Date.now() - HOUR), "bad")}`;
    ep.world.putObject(bucket, key, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const first = await scan();
    assert.deepEqual(
      first.badFiles.map((b) => b.file),
      [`s3://${bucket}/${key}`],
    );
    const second = await scan();
    assert.equal(second.files.bad, 0);
    assert.equal(second.files.skipped, 1);
  });
});
