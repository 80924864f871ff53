import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scanLocal } from "../../src/logs/local.ts";
import { runScan } from "../../src/logs/scan.ts";
import { detectedEventIds, eventNameDetector, logBody, record, tempDir, testConfig } from "./support.ts";

/** A folder with two good logs around the bad entry `make` puts in it. */
function folderWith(make: (logs: string) => void) {
  const dir = tempDir();
  const logs = join(dir, "logs");
  mkdirSync(logs);
  writeFileSync(join(logs, "a.json.gz"), logBody([record("a1", "StopLogging")]));
  make(logs);
  writeFileSync(join(logs, "z.json.gz"), logBody([record("z1", "StopLogging")]));
  const config = testConfig(dir, { sources: [`file://${logs}`] });
  return { logs, config };
}

async function scanReportsOneBad(
  logs: string,
  config: ReturnType<typeof testConfig>,
  name: string,
  why: RegExp,
) {
  const summary = await runScan({ config, detector: eventNameDetector() });
  assert.equal(summary.files.read, 2);
  assert.equal(summary.files.bad, 1);
  assert.deepEqual(detectedEventIds(config), ["a1", "z1"]);
  const bad = summary.badFiles.find((b) => b.file === join(logs, name));
  assert.ok(bad, JSON.stringify(summary.badFiles));
  assert.match(bad.reason, why);
  assert.deepEqual(summary.errors, []);
}

describe("a file:// source with an entry that cannot be read", () => {
  it("reports a dangling symlink by path and reads the rest", async () => {
    const { logs, config } = folderWith((l) => symlinkSync(join(l, "gone.json.gz"), join(l, "m.json.gz")));
    await scanReportsOneBad(logs, config, "m.json.gz", /dangling symlink/);
  });

  it("reports a symlink that points at itself by path and reads the rest", async () => {
    const { logs, config } = folderWith((l) => symlinkSync(join(l, "m.json"), join(l, "m.json")));
    await scanReportsOneBad(logs, config, "m.json", /symlink loop/);
  });

  it("reports a folder symlink that loops back to an ancestor, without following it", async () => {
    const { logs, config } = folderWith((l) => {
      mkdirSync(join(l, "sub"));
      symlinkSync(l, join(l, "sub", "back"));
    });
    await scanReportsOneBad(logs, config, "sub/back", /symlink loop/);
  });

  it("reports a FIFO named like a log without blocking on it", async () => {
    const { logs, config } = folderWith((l) => execFileSync("mkfifo", [join(l, "m.json.gz")]));
    await scanReportsOneBad(logs, config, "m.json.gz", /not a regular file \(a FIFO\)/);
  });

  it("reports a log file it may not read and reads the rest", async (t) => {
    if (process.getuid?.() === 0) return t.skip("running as root: permissions do not stop reads");
    const { logs, config } = folderWith((l) => {
      writeFileSync(join(l, "m.json.gz"), logBody([record("m1", "StopLogging")]));
      chmodSync(join(l, "m.json.gz"), 0o000);
    });
    await scanReportsOneBad(logs, config, "m.json.gz", /not readable/);
  });

  it("reports the bad entry in a one-off local scan too, and reads the rest", async () => {
    const { logs } = folderWith((l) => symlinkSync(join(l, "gone.json"), join(l, "m.json")));
    const out = await scanLocal({ paths: [logs], detector: eventNameDetector() });
    assert.equal(out.summary.files.read, 2);
    assert.equal(out.summary.files.bad, 1);
    assert.deepEqual(
      out.detections.map((d) => d.eventID),
      ["a1", "z1"],
    );
  });

  it("reports a file bigger than logs.maxFileBytes by path with the reason", async () => {
    const { logs, config } = folderWith((l) =>
      writeFileSync(
        join(l, "m.json"),
        JSON.stringify({ Records: [record("m1", "StopLogging", { pad: "x".repeat(5000) })] }),
      ),
    );
    config.logs.maxFileBytes = 4096;
    await scanReportsOneBad(logs, config, "m.json", /logs\.maxFileBytes \(4096 bytes/);
  });
});
