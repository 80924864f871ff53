import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { BadLogError, type CloudTrailRecord, readLog } from "../../src/logs/reader.ts";
import { corpusSkip } from "../support/corpus.ts";
import { record } from "./support.ts";

async function* chunks(data: Buffer, size = data.length) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function read(data: Buffer, lines = false, size?: number) {
  const records: CloudTrailRecord[] = [];
  const result = await readLog(chunks(data, size), { lines, onRecord: (r) => records.push(r) });
  return { result, records };
}

async function readWhole(data: Buffer, lines = false) {
  const records: CloudTrailRecord[] = [];
  const result = await readLog(new Uint8Array(data), { lines, onRecord: (r) => records.push(r) });
  return { result, records };
}

const SAMPLES = "cloudtrail-samples/invictus-aws-dataset/";
const corpus = new URL(`../../../shared/corpus/${SAMPLES}`, import.meta.url);

describe("the log reader", () => {
  it("gunzips by magic bytes whatever the file is called", async () => {
    const { result, records } = await read(gzipSync(JSON.stringify({ Records: [record("a"), record("b")] })));
    assert.equal(result.gzip, true);
    assert.deepEqual(
      records.map((r) => r.eventID),
      ["a", "b"],
    );
  });

  it("parses a Records document split into one-byte chunks", async () => {
    const text = JSON.stringify({
      other: { Records: [1] },
      Records: [record('x"}]'), record("y")],
      tail: "}",
    });
    const { records } = await read(Buffer.from(text), false, 1);
    assert.deepEqual(
      records.map((r) => r.eventID),
      ['x"}]', "y"],
    );
  });

  it("reads JSON lines, one record per line, gzipped or not", async () => {
    const text = `${JSON.stringify(record("l1"))}\n\n${JSON.stringify(record("l2"))}\n`;
    const plain = await read(Buffer.from(text), true);
    const zipped = await read(gzipSync(text), true);
    assert.deepEqual(
      plain.records.map((r) => r.eventID),
      ["l1", "l2"],
    );
    assert.equal(zipped.records.length, 2);
  });

  it("skips and counts a JSON-lines line that is not JSON, naming the line", async () => {
    const text = `${JSON.stringify(record("l1"))}\n{"eventID": "cut\n${JSON.stringify(record("l3"))}\n`;
    const { result, records } = await read(Buffer.from(text), true);
    assert.equal(records.length, 2);
    assert.deepEqual(result.invalidSamples, ["line 2: line is not JSON"]);
  });

  it("reads every record of the real CloudTrail samples", { skip: corpusSkip(SAMPLES) }, async () => {
    for (const name of readdirSync(corpus).filter((n) => n.endsWith(".json"))) {
      const data = readFileSync(new URL(name, corpus));
      const expected = JSON.parse(data.toString("utf8")).Records.length;
      const { records } = await read(data, false, 4096);
      assert.equal(records.length, expected, name);
    }
  });

  it("rejects a corrupt gzip as a bad file", async () => {
    const gz = gzipSync(JSON.stringify({ Records: [record("a")] }));
    gz[gz.length - 12] ^= 0xff;
    await assert.rejects(read(gz), (e: Error) => e instanceof BadLogError && /gzip/.test(e.message));
  });

  it("rejects truncated JSON as a bad file", async () => {
    const text = JSON.stringify({ Records: [record("a"), record("b")] });
    await assert.rejects(
      read(Buffer.from(text.slice(0, -30))),
      (e: Error) => e instanceof BadLogError && /truncated/.test(e.message),
    );
  });

  it("rejects JSON that is not a CloudTrail log", async () => {
    await assert.rejects(read(Buffer.from('{"awsAccountId":"1","logFiles":[]}')), /not a CloudTrail log/);
    await assert.rejects(read(Buffer.from("[1,2]")), /not a CloudTrail log/);
    await assert.rejects(read(Buffer.from("<html>")), /not JSON/);
  });

  it("rejects a log whose Records array is empty", async () => {
    await assert.rejects(read(gzipSync('{"Records":[]}')), /empty Records/);
  });

  it("skips and counts a record without eventID, keeping the others", async () => {
    const bare = { ...record("z") } as Record<string, unknown>;
    delete bare.eventID;
    const { result, records } = await read(
      Buffer.from(JSON.stringify({ Records: [record("a"), bare, record("b")] })),
    );
    assert.equal(result.invalid, 1);
    assert.match(result.invalidSamples[0], /record 1: record without eventID/);
    assert.deepEqual(
      records.map((r) => r.eventID),
      ["a", "b"],
    );
  });

  it("rejects the same bad files when a small file is read whole", async () => {
    const gz = gzipSync(JSON.stringify({ Records: [record("a")] }));
    const cases: [Buffer, RegExp][] = [
      [gz.subarray(0, gz.length - 10), /corrupt gzip/],
      [gzipSync('{"Records":[{"eventID":"a"'), /truncated JSON/],
      [gzipSync('{"logFiles":[]}'), /not a CloudTrail log/],
      [gzipSync('{"Records":[]}'), /empty Records/],
      [Buffer.from("<html>"), /not JSON/],
    ];
    for (const [data, expected] of cases)
      await assert.rejects(
        readWhole(data),
        (e: Error) => e instanceof BadLogError && expected.test(e.message),
      );
    const ok = await readWhole(gz);
    assert.equal(ok.records.length, 1);
    assert.equal(ok.result.gzip, true);
  });

  it("reads a small gzip that expands past the whole-file limit (gzip bomb guard falls back to streaming)", async () => {
    const big = JSON.stringify({ padding: "x".repeat(17 * 1024 * 1024), Records: [record("after-padding")] });
    const { records } = await readWhole(gzipSync(big));
    assert.deepEqual(
      records.map((r) => r.eventID),
      ["after-padding"],
    );
  });
});
