import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { startScanWorkers } from "../../src/daemon/scan-workers.ts";
import { scanLocal } from "../../src/logs/local.ts";
import { runScan } from "../../src/logs/scan.ts";
import { ScanWorkerPool } from "../../src/logs/workers/pool.ts";
import { loadRules } from "../../src/rules/index.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import { ctKey, detectedEventIds, logBody, record, tempDir, testConfig } from "./support.ts";

const rulesDir = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));
const hangEntry = new URL("../fixtures/workers/hang-worker.ts", import.meta.url);
const stop = (id: string) => record(id, "StopLogging");

async function fixturePool(size = 2) {
  const loaded = await loadRules([rulesDir]);
  const pool = await startScanWorkers(size, { paths: [rulesDir], placeholders: {} }, loaded.ruleSet.rules);
  assert.ok(pool);
  return { pool, detector: loaded.ruleSet };
}

/** Good files, a truncated one (its first record is whole), a corrupt one, a big one. */
function mixedFolder(): string {
  const logs = join(tempDir(), "logs");
  mkdirSync(logs);
  for (let f = 0; f < 6; f++)
    writeFileSync(join(logs, `f${f}.json.gz`), logBody([stop(`f${f}a`), record(`f${f}b`), stop(`f${f}c`)]));
  const text = JSON.stringify({ Records: [stop("t1"), stop("t2")] });
  writeFileSync(join(logs, "truncated.json.gz"), gzipSync(text.slice(0, text.lastIndexOf('"eventID"'))));
  writeFileSync(join(logs, "corrupt.json.gz"), logBody([stop("x")]).subarray(0, 12));
  // 3,000 detections from one file: they come back in many bounded chunks.
  writeFileSync(
    join(logs, "many.json"),
    JSON.stringify({ Records: Array.from({ length: 3000 }, (_, i) => stop(`m${i}`)) }),
  );
  return logs;
}

describe("scanning on worker threads", () => {
  let pool: ScanWorkerPool;
  let detector: Awaited<ReturnType<typeof fixturePool>>["detector"];
  before(async () => {
    ({ pool, detector } = await fixturePool());
  });
  after(() => pool.close());

  it("finds exactly the detections, bad files and counts of a scan on the main thread", async () => {
    const logs = mixedFolder();
    const onMain = await scanLocal({ paths: [logs], detector });
    const onWorkers = await scanLocal({ paths: [logs], detector, pool });
    assert.deepEqual(
      onWorkers.detections.map((d) => d.id),
      onMain.detections.map((d) => d.id),
    );
    assert.equal(onWorkers.detections.length, 6 * 2 + 1 + 3000);
    assert.ok(
      onWorkers.detections.some((d) => d.eventID === "t1"),
      "the truncated file keeps its first record",
    );
    assert.deepEqual(onWorkers.summary.files, onMain.summary.files);
    assert.deepEqual(onWorkers.summary.records, onMain.summary.records);
    assert.deepEqual(
      onWorkers.summary.badFiles.map((b) => [b.file, b.reason]).sort(),
      onMain.summary.badFiles.map((b) => [b.file, b.reason]).sort(),
    );
  });

  it("keeps progress and exactly-once in the incremental scan: a second run reads nothing", async () => {
    const logs = mixedFolder();
    const config = testConfig(join(logs, ".."), { sources: [`file://${logs}`] });
    const first = await runScan({ config, detector, pool });
    assert.equal(first.detections.total, 6 * 2 + 1 + 3000);
    assert.equal(detectedEventIds(config).length, 6 * 2 + 1 + 3000);
    const second = await runScan({ config, detector, pool });
    assert.equal(second.files.read, 0);
    assert.equal(second.detections.total, 0);
  });

  it("reports a file over logs.maxFileBytes bad by path, on a worker", async () => {
    const logs = mixedFolder();
    const config = testConfig(join(logs, ".."), { sources: [`file://${logs}`] });
    config.logs.maxFileBytes = 100_000;
    const summary = await runScan({ config, detector, pool });
    const bad = summary.badFiles.find((b) => b.file === join(logs, "many.json"));
    assert.match(bad?.reason ?? "", /logs\.maxFileBytes \(100000 bytes/);
  });

  it("judges S3 objects downloaded on the main thread", async () => {
    const ep = await startEndpoint();
    try {
      const account = "111111111111";
      ep.world.addAccount(account);
      ep.world.addBucket("worker-logs", account);
      const t = new Date(Date.now() - 3_600_000);
      for (let f = 0; f < 5; f++)
        ep.world.putObject("worker-logs", ctKey(account, "us-east-1", t, `k${f}`), logBody([stop(`s${f}`)]));
      const config = testConfig(tempDir(), { sources: ["s3://worker-logs"] });
      const clients = clientsFor(ep, account, { maxAttempts: 1 });
      const summary = await runScan({ config, detector, pool, clients });
      assert.equal(summary.files.read, 5);
      assert.deepEqual(detectedEventIds(config), ["s0", "s1", "s2", "s3", "s4"]);
      clients.destroy();
    } finally {
      await ep.stop();
    }
  });
});

describe("the scan worker pool", () => {
  it("refuses workers that built a different rule set", async () => {
    await assert.rejects(
      ScanWorkerPool.start({ size: 1, entry: hangEntry, init: {}, fingerprint: "another" }),
      /different rule set/,
    );
  });

  it("stops a worker that overruns the time per file, reports the file bad and reads the next", async () => {
    const pool = await ScanWorkerPool.start({
      size: 1,
      entry: hangEntry,
      init: {},
      fingerprint: "hang",
      hardStopGraceMs: 200,
    });
    try {
      const logs = join(tempDir(), "logs");
      mkdirSync(logs);
      writeFileSync(join(logs, "a-hang.json.gz"), logBody([stop("h0"), record("h1", "Hang")]));
      writeFileSync(join(logs, "b-next.json.gz"), logBody([stop("n1")]));
      const out = await scanLocal({
        paths: [logs],
        detector: { evaluate: () => [] },
        pool,
        limits: { timeoutMs: 300 },
        concurrency: 1,
      });
      assert.equal(out.summary.files.bad, 1);
      assert.match(out.summary.badFiles[0].reason, /logs\.fileTimeoutSeconds \(0\.3 s\)/);
      assert.deepEqual(
        out.detections.map((d) => d.eventID),
        ["n1"],
      );
    } finally {
      await pool.close();
    }
  });
});
