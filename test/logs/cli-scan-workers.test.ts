import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scanCommand } from "../../src/cli/scan.ts";
import { logBody, record, tempDir } from "./support.ts";

const fixtureRules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));

function logsFolder(): string {
  const dir = tempDir();
  for (let f = 0; f < 8; f++)
    writeFileSync(
      join(dir, `f${f}.json.gz`),
      logBody([record(`e${f}a`, "StopLogging"), record(`e${f}b`), record(`e${f}c`, "DeleteTrail")]),
    );
  return dir;
}

async function report(args: string[]) {
  const out = join(tempDir(), "report.json");
  const code = await scanCommand.run([...args, "--output", out]);
  const r = JSON.parse(readFileSync(out, "utf8"));
  return { code, summary: r.summary, detections: r.detections };
}

describe("trailwarden scan --workers", () => {
  it("writes the same detections and counts with 0 (main thread), 1 and 2 workers", async () => {
    const logs = logsFolder();
    const runs = [];
    for (const w of ["0", "1", "2"])
      runs.push(await report(["--rules", fixtureRules, "--logs", logs, "--workers", w]));
    for (const r of runs) {
      assert.equal(r.code, 0);
      assert.equal(r.detections.length, 16);
      assert.deepEqual(r.detections, runs[0].detections);
      assert.deepEqual(r.summary.files, runs[0].summary.files);
      assert.deepEqual(r.summary.records, runs[0].summary.records);
    }
  });

  it("refuses a --workers value that is not a whole number", async () => {
    await assert.rejects(
      scanCommand.run(["--rules", fixtureRules, "--logs", logsFolder(), "--workers", "two"]),
      /--workers two: expected a whole number from 0 to 256/,
    );
  });
});
