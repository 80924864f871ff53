import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { validatorFor } from "../../src/config/schema.ts";
import { scanLocal } from "../../src/logs/local.ts";
import { runScan } from "../../src/logs/scan.ts";
import {
  detectedEventIds,
  eventNameDetector,
  logBody,
  readDetections,
  record,
  tempDir,
  testConfig,
} from "./support.ts";

function folderWithLogs() {
  const dir = tempDir();
  const logs = join(dir, "logs");
  mkdirSync(join(logs, "nested"), { recursive: true });
  writeFileSync(join(logs, "a.json.gz"), logBody([record("e1", "StopLogging"), record("e2")]));
  writeFileSync(join(logs, "nested", "b.json"), JSON.stringify({ Records: [record("e3", "StopLogging")] }));
  writeFileSync(join(logs, "c.jsonl"), `${JSON.stringify(record("e4", "StopLogging"))}\n`);
  writeFileSync(join(logs, "notes.txt"), "not a log");
  const config = testConfig(dir, { sources: [`file://${logs}`] });
  return { dir, logs, config };
}

describe("scanning a file:// source", () => {
  it("reads every log file recursively and appends one line per detection", async () => {
    const { config } = folderWithLogs();
    const summary = await runScan({ config, detector: eventNameDetector() });
    assert.deepEqual(summary.files, { read: 3, bad: 0, failed: 0, quarantined: 0, skipped: 0, ignored: 1 });
    assert.equal(summary.records.read, 4);
    assert.deepEqual(detectedEventIds(config), ["e1", "e3", "e4"]);
  });

  it("writes detection lines that match the schema and announces each after it is written", async () => {
    const { config } = folderWithLogs();
    const announced: string[] = [];
    await runScan({
      config,
      detector: eventNameDetector(),
      onDetection: (d) => {
        assert.ok(readDetections(config).some((line) => line.id === d.id));
        announced.push(d.eventID);
      },
    });
    assert.deepEqual(announced.sort(), ["e1", "e3", "e4"]);
    const validate = validatorFor("scan-report");
    const report = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version: "0" },
      rules: { loaded: 1, problems: [] },
      summary: JSON.parse(JSON.stringify(await runScan({ config, detector: eventNameDetector() }))),
      detections: readDetections(config),
    };
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });

  it("reads nothing again on a second run", async () => {
    const { config } = folderWithLogs();
    await runScan({ config, detector: eventNameDetector() });
    const second = await runScan({ config, detector: eventNameDetector() });
    assert.equal(second.files.read, 0);
    assert.equal(second.files.skipped, 3);
    assert.equal(readDetections(config).length, 3);
  });

  it("reads a file again when its size or mtime changed, without repeating detections", async () => {
    const { config, logs } = folderWithLogs();
    await runScan({ config, detector: eventNameDetector() });
    const file = join(logs, "nested", "b.json");
    writeFileSync(
      file,
      JSON.stringify({ Records: [record("e3", "StopLogging"), record("e5", "StopLogging")] }),
    );
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = await runScan({ config, detector: eventNameDetector() });
    assert.equal(second.files.read, 1);
    assert.equal(second.detections.total, 1);
    assert.equal(second.detections.duplicates, 1);
    assert.deepEqual(detectedEventIds(config), ["e1", "e3", "e4", "e5"]);
  });

  it("leaves the files not yet read after an abort to the next run", async () => {
    const { config } = folderWithLogs();
    config.logs.concurrency = 1;
    const controller = new AbortController();
    const first = await runScan({
      config,
      detector: eventNameDetector(),
      signal: controller.signal,
      onDetection: () => controller.abort(),
    });
    assert.equal(first.files.read, 1);
    assert.equal(first.errors.length, 0);
    const second = await runScan({ config, detector: eventNameDetector() });
    assert.equal(second.files.read, 2);
    assert.deepEqual(detectedEventIds(config), ["e1", "e3", "e4"]);
  });

  it("gives one detection for the same record delivered in two files", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "trail-a.json.gz"), logBody([record("same", "StopLogging")]));
    writeFileSync(join(dir, "trail-b.json.gz"), logBody([record("same", "StopLogging")]));
    const config = testConfig(dir, { sources: [`file://${dir}`] });
    const summary = await runScan({ config, detector: eventNameDetector() });
    assert.equal(summary.detections.total, 1);
    assert.equal(summary.detections.duplicates, 1);
    assert.equal(readDetections(config).length, 1);
  });

  it("reports bad files by path, remembers them and reads the rest", async () => {
    const { config, logs } = folderWithLogs();
    writeFileSync(join(logs, "corrupt.json.gz"), gzipSync("{}").subarray(0, 8));
    writeFileSync(join(logs, "truncated.json"), '{"Records":[{"eventID":"t1"');
    writeFileSync(join(logs, "digest.json"), '{"awsAccountId":"111111111111","logFiles":[]}');
    writeFileSync(join(logs, "empty.json"), '{"Records":[]}');
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (msg: string, f?: Record<string, unknown>) => warnings.push(`${msg} ${f?.file}`),
      error() {},
      child() {
        return logger;
      },
    };
    const summary = await runScan({ config, detector: eventNameDetector(), logger });
    assert.equal(summary.files.bad, 4);
    assert.equal(summary.files.read, 3);
    for (const name of ["corrupt.json.gz", "truncated.json", "digest.json", "empty.json"]) {
      assert.ok(
        summary.badFiles.some((b) => b.file === join(logs, name)),
        name,
      );
      assert.ok(
        warnings.some((w) => w.includes(join(logs, name))),
        name,
      );
    }
    const second = await runScan({ config, detector: eventNameDetector() });
    assert.equal(second.files.bad, 0);
    assert.equal(second.files.skipped, 7);
  });
});

describe("the local scan report", () => {
  it("lists detections in a stable order and matches schema/scan-report", async () => {
    const { logs } = folderWithLogs();
    writeFileSync(
      join(logs, "z.json"),
      JSON.stringify({ Records: [record("e0", "StopLogging", { eventTime: "2026-01-01T00:00:00Z" })] }),
    );
    const out = await scanLocal({ paths: [logs], detector: eventNameDetector() });
    assert.deepEqual(
      out.detections.map((d) => d.eventID),
      ["e0", "e1", "e3", "e4"],
    );
    const report = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version: "0" },
      rules: { loaded: 1, problems: [] },
      ...out,
    };
    const validate = validatorFor("scan-report");
    assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
  });
});
