// A small gzip can hold a flood of matching records (an attacker's or a broken producer's). The
// scan must judge them all with bounded memory: detections go to the store as they are found,
// never collected for a whole file. Run under a small heap, an unbounded scan dies.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { record, tempDir } from "./support.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const rules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));
const RECORDS = 100_000;

test("a small gzip with 100k matching records is judged in full under a 96 MB heap", async () => {
  const base = tempDir("tw-flood-");
  const logs = join(base, "logs");
  mkdirSync(logs);
  const records = Array.from({ length: RECORDS }, (_, i) =>
    JSON.stringify(record(`flood-${i}`, "StopLogging", { eventSource: "cloudtrail.amazonaws.com" })),
  );
  const gz = gzipSync(`{"Records":[${records.join(",")}]}`);
  writeFileSync(join(logs, "flood.json.gz"), gz);
  const config = join(base, "config.yaml");
  writeFileSync(
    config,
    `rules: [${JSON.stringify(rules)}]\nlogs:\n  sources: [${JSON.stringify(`file://${logs}`)}]\nstate:\n  dir: ./state\noutput:\n  dir: ./out\nlogLevel: error\n`,
  );
  const r = spawnSync(
    process.execPath,
    [
      "--max-old-space-size=96",
      "--import",
      "tsx",
      "src/cli/main.ts",
      "scan",
      "--config",
      config,
      "--output",
      join(base, "summary.json"),
    ],
    { cwd: repo, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 },
  );
  assert.equal(r.status, 0, `${gz.length} bytes of gzip: ${r.stderr.slice(-2000)}`);
  let lines = 0;
  const ids = new Set<string>();
  for await (const line of createInterface({
    input: createReadStream(join(base, "out", "detections.jsonl")),
  })) {
    lines++;
    ids.add((JSON.parse(line) as { eventID: string }).eventID);
  }
  assert.equal(lines, RECORDS);
  assert.equal(ids.size, RECORDS);
});
