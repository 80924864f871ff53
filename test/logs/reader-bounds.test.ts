import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { BadLogError, type CloudTrailRecord, type ReadOptions, readLog } from "../../src/logs/reader.ts";
import { record } from "./support.ts";

async function* chunks(data: Buffer, size = 1024) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readBoth(data: Buffer, extra: Partial<ReadOptions> = {}) {
  const out: { ids: string[]; error?: Error }[] = [];
  for (const source of [new Uint8Array(data), chunks(data)]) {
    const ids: string[] = [];
    try {
      await readLog(source, {
        lines: false,
        onRecord: (r: CloudTrailRecord) => ids.push(r.eventID),
        ...extra,
      });
      out.push({ ids });
    } catch (err) {
      out.push({ ids, error: err as Error });
    }
  }
  return { whole: out[0], stream: out[1] };
}

describe("reading a log file whole and as a stream", () => {
  it("keeps the records before the damage of a truncated file, read whole as streamed", async () => {
    const text = JSON.stringify({ Records: [record("a"), record("b"), record("c")] });
    const { whole, stream } = await readBoth(gzipSync(text.slice(0, text.lastIndexOf('"eventID"'))));
    for (const r of [whole, stream]) {
      assert.deepEqual(r.ids, ["a", "b"]);
      assert.ok(r.error instanceof BadLogError && /truncated JSON/.test(r.error.message), r.error?.message);
    }
  });

  it("reads every Records array of a document with two, read whole as streamed", async () => {
    const text = `{"Records":[${JSON.stringify(record("hidden"))}],"Records":[${JSON.stringify(record("last"))}]}`;
    const { whole, stream } = await readBoth(gzipSync(text));
    assert.deepEqual(whole.ids, ["hidden", "last"]);
    assert.deepEqual(stream.ids, ["hidden", "last"]);
  });

  it("reports a file that decompresses past maxBytes as bad, naming logs.maxFileBytes", async () => {
    const data = gzipSync(JSON.stringify({ Records: Array.from({ length: 50 }, (_, i) => record(`r${i}`)) }));
    const { whole, stream } = await readBoth(data, { maxBytes: 2000 });
    for (const r of [whole, stream])
      assert.ok(r.error instanceof BadLogError && /logs\.maxFileBytes \(2000 bytes/.test(r.error.message));
    const plain = await readBoth(Buffer.from(JSON.stringify({ Records: [record("a"), record("b")] })), {
      maxBytes: 100,
    });
    for (const r of [plain.whole, plain.stream])
      assert.ok(r.error instanceof BadLogError && /logs\.maxFileBytes/.test(r.error.message));
  });

  it("reads a file exactly at maxBytes", async () => {
    const text = JSON.stringify({ Records: [record("a")] });
    const { whole, stream } = await readBoth(gzipSync(text), { maxBytes: Buffer.byteLength(text) });
    assert.deepEqual(whole, { ids: ["a"] });
    assert.deepEqual(stream, { ids: ["a"] });
  });

  it("reports a file still being read after its deadline as bad, naming the limit", async () => {
    const data = gzipSync(
      JSON.stringify({ Records: Array.from({ length: 600 }, (_, i) => record(`r${i}`)) }),
    );
    const { whole, stream } = await readBoth(data, {
      deadline: Date.now() - 1,
      deadlineLabel: "logs.fileTimeoutSeconds (1 s)",
    });
    for (const r of [whole, stream])
      assert.ok(r.error instanceof BadLogError && /logs\.fileTimeoutSeconds \(1 s\)/.test(r.error.message));
  });
});
