// The log file hash a digest lists is the SHA-256 of the uncompressed content: computed on its own
// (verify) or from the reader's uncompressed bytes (the scan), it must be the same either way.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { sha256Hex } from "../../src/integrity/digest.ts";
import { ContentHasher, hashUncompressed } from "../../src/integrity/hash.ts";
import { readLog } from "../../src/logs/reader.ts";

function bigLog(records: number): Buffer {
  const Records = Array.from({ length: records }, (_, i) => ({
    eventID: `id-${i}`,
    eventName: "GetObject",
    requestParameters: { bucketName: "b", key: `k/${i}/${randomBytes(80).toString("hex")}` },
  }));
  return Buffer.from(JSON.stringify({ Records }));
}

async function* chunks(b: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe("log file hashing", () => {
  const raw = bigLog(5000);
  const gz = gzipSync(raw);

  it("hashes the uncompressed content of a gzip stream, and raw bytes that are not gzip", async () => {
    assert.ok(gz.length > 256 * 1024, "the test file is streamed, not read whole");
    assert.deepEqual(await hashUncompressed(chunks(gz, 64 * 1024)), { sha256: sha256Hex(raw) });
    assert.deepEqual(await hashUncompressed(raw), { sha256: sha256Hex(raw) });
  });

  it("says corrupt for gzip that does not inflate", async () => {
    const cut = gz.subarray(0, gz.length - 100);
    const got = await hashUncompressed(cut);
    assert.ok("corrupt" in got);
  });

  it("gives the same hash from the reader's onContent hook, streamed or read whole", async () => {
    const small = bigLog(3);
    const cases: [AsyncIterable<Uint8Array> | Uint8Array, Buffer][] = [
      [chunks(gz, 50_000), raw],
      [gz, raw],
      [gzipSync(small), small],
    ];
    for (const [source, content] of cases) {
      const hasher = new ContentHasher();
      const result = await readLog(source, { lines: false, onRecord: () => {}, onContent: hasher.update });
      assert.ok(result.records > 0);
      assert.equal(hasher.digest(), sha256Hex(content));
    }
  });
});
