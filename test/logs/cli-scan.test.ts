import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseSince, scanCommand } from "../../src/cli/scan.ts";
import { validatorFor } from "../../src/config/schema.ts";
import { logBody, record, tempDir } from "./support.ts";

const fixtureRules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));

async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe("trailwarden scan", () => {
  it("scans local files with --rules and --logs into a report that matches its schema", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "a.json.gz"),
      logBody([record("e1", "StopLogging"), record("e2", "DeleteTrail"), record("e3")]),
    );
    const out = join(dir, "report.json");
    const { result } = await quietly(() =>
      scanCommand.run(["--rules", fixtureRules, "--logs", dir, "--output", out]),
    );
    assert.equal(result, 0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(
      report.detections.map((d: { eventID: string }) => d.eventID),
      ["e1", "e2"],
    );
    const validate = validatorFor("scan-report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });

  it("prints rule problems as file:line:col, runs the good rules and exits 1", async () => {
    const dir = tempDir();
    const rules = join(dir, "rules");
    mkdirSync(rules);
    copyFileSync(join(fixtureRules, "stop-logging.yml"), join(rules, "stop-logging.yml"));
    writeFileSync(
      join(rules, "broken.yml"),
      "title: broken\nid: 1\ndetection:\n  sel:\n    eventName: X\n  condition: nothere\n",
    );
    writeFileSync(join(dir, "a.json"), JSON.stringify({ Records: [record("e1", "StopLogging")] }));
    const out = join(dir, "report.json");
    const { result, stderr } = await quietly(() =>
      scanCommand.run(["--rules", rules, "--logs", join(dir, "a.json"), "--output", out]),
    );
    assert.equal(result, 1);
    assert.match(stderr, /broken\.yml:\d+:\d+: /);
    const report = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(report.rules.loaded, 1);
    assert.equal(report.detections.length, 1);
  });

  it("with --config --format ocsf writes the run's new detections as OCSF Detection Findings", async () => {
    const dir = tempDir();
    const logs = join(dir, "logs");
    mkdirSync(logs);
    writeFileSync(
      join(logs, "a.json"),
      JSON.stringify({ Records: [record("e1", "StopLogging"), record("e2")] }),
    );
    const config = join(dir, "config.yaml");
    writeFileSync(
      config,
      `rules: [${JSON.stringify(fixtureRules)}]\nlogs:\n  sources: ["file://logs"]\nstate:\n  dir: state\noutput:\n  dir: out\n`,
    );
    const out = join(dir, "ocsf.json");
    const first = await quietly(() =>
      scanCommand.run(["--config", config, "--format", "ocsf", "--output", out]),
    );
    assert.equal(first.result, 0, first.stderr);
    const events: { class_uid: number; evidences: { data: { metadata: { uid: string } } }[] }[] = JSON.parse(
      readFileSync(out, "utf8"),
    );
    assert.ok(validatorFor("ocsf-findings")(structuredClone(events)));
    assert.deepEqual(
      events.map((e) => [e.class_uid, e.evidences[0].data.metadata.uid]),
      [[2004, "e1"]],
    );
    await quietly(() => scanCommand.run(["--config", config, "--format", "ocsf", "--output", out]));
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), [], "a second run has nothing new");
  });

  it("takes --since as a duration back from now or as a timestamp", () => {
    const now = new Date("2026-11-24T00:00:00Z");
    assert.equal(parseSince("36h", now).toISOString(), "2026-11-22T12:00:00.000Z");
    assert.equal(parseSince("2w", now).toISOString(), "2026-11-10T00:00:00.000Z");
    assert.equal(parseSince("2026-11-01T00:00:00Z", now).toISOString(), "2026-11-01T00:00:00.000Z");
    assert.throws(() => parseSince("yesterday", now), /--since/);
  });
});
