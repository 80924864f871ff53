// Kills the real CLI with SIGKILL at random points while it reads many files, restarts it until it
// finishes, and checks the output holds exactly the detections of one clean run.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startEndpoint } from "../support/endpoint.ts";
import { ctKey, logBody, readDetections, record, tempDir, testConfig } from "./support.ts";

const ACCOUNT = "111111111111";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const rules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));

/** mulberry32: the kill points are the same on every run of the test. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The records of log file number f: some match the fixture rules, some repeat an earlier file's. */
function fileRecords(f: number): Record<string, unknown>[] {
  const records = [];
  for (let r = 0; r < 20; r++) {
    const n = f * 20 + r;
    const name = n % 9 === 0 ? "StopLogging" : n % 13 === 0 ? "DeleteTrail" : "DescribeTrails";
    records.push(record(`ev-${n}`, name, { eventSource: "cloudtrail.amazonaws.com" }));
  }
  // Every tenth file repeats a record of the file before (two trails delivering the same event).
  if (f % 10 === 9)
    records.push(record(`ev-${(f - 1) * 20}`, "StopLogging", { eventSource: "cloudtrail.amazonaws.com" }));
  return records;
}

function writeLogs(dir: string, files: number): void {
  for (let f = 0; f < files; f++) {
    const sub = join(dir, `day${f % 7}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `log-${String(f).padStart(4, "0")}.json.gz`), logBody(fileRecords(f)));
  }
}

function detectionsIn(dir: string) {
  const config = testConfig(dir);
  config.output.dir = join(dir, "out");
  return readDetections(config);
}

function configFile(dir: string, source: string, extra = ""): string {
  const file = join(dir, "config.yaml");
  writeFileSync(
    file,
    `rules: [${JSON.stringify(rules)}]\nlogs:\n  sources: [${JSON.stringify(source)}]\n  concurrency: 4\nstate:\n  dir: ./state\noutput:\n  dir: ./out\nlogLevel: error\n${extra}`,
  );
  return file;
}

/** Lines in the state journal: each one is a file marked done (or a cursor, or recovered ids). */
/**
 * Progress of a running scan, seen from outside while it holds the store: pages its commits added
 * to the database's write-ahead log (file marks, outbox, ids), which grows with every file.
 */
function journalLines(dir: string): number {
  try {
    return Math.floor(statSync(join(dir, "state", "state.db-wal")).size / 4096);
  } catch {
    return 0;
  }
}

/** Runs the CLI; with killAfterLines, SIGKILLs it once the journal has grown by that many lines. */
function runCli(
  config: string,
  killAfterLines?: number,
  run: { args?: string[]; env?: Record<string, string> } = {},
): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "scan",
        "--config",
        config,
        "--output",
        `${config}.summary.json`,
        ...(run.args ?? []),
      ],
      {
        cwd: repo,
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, ...run.env },
      },
    );
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const dir = dirname(config);
    const start = journalLines(dir);
    const timer =
      killAfterLines === undefined
        ? undefined
        : setInterval(() => {
            if (journalLines(dir) - start >= killAfterLines) child.kill("SIGKILL");
          }, 2);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearInterval(timer);
      if (code !== null && code !== 0) reject(new Error(`scan exited ${code}: ${stderr}`));
      else resolve({ code, killed: signal === "SIGKILL" });
    });
  });
}

/** Restart the scan, killing the first runs at seeded random journal points, until it finishes. */
async function killUntilDone(
  config: string,
  seed: number,
  run: Parameters<typeof runCli>[2] = {},
): Promise<number> {
  const random = prng(seed);
  let kills = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    // The first restarts are killed at random points; later ones may run to the end.
    const killAt = attempt < 12 ? 1 + Math.floor(random() * 120) : undefined;
    const { killed } = await runCli(config, killAt, run);
    if (killed) kills++;
    else break;
  }
  return kills;
}

function assertSameDetections(killedDir: string, cleanDir: string): void {
  const clean = detectionsIn(cleanDir).map((d) => d.id);
  assert.equal(clean.length, new Set(clean).size, "a clean run writes no duplicates");
  assert.ok(clean.length > 100);
  const after = detectionsIn(killedDir).map((d) => d.id);
  assert.equal(after.length, new Set(after).size, "no detection is duplicated");
  assert.deepEqual([...after].sort(), [...clean].sort());
}

describe("a scan killed with SIGKILL", () => {
  it(
    "over file:// ends, after restarts, with exactly the detections of one clean run",
    {
      timeout: 600_000,
    },
    async () => {
      const base = tempDir("tw-sigkill-");
      const logs = join(base, "logs");
      writeLogs(logs, 600);
      const cleanDir = join(base, "clean");
      mkdirSync(cleanDir);
      await runCli(configFile(cleanDir, `file://${logs}`));
      const killedDir = join(base, "killed");
      mkdirSync(killedDir);
      const kills = await killUntilDone(configFile(killedDir, `file://${logs}`), 20261124);
      assert.ok(kills >= 3, `the scan was killed mid-way (${kills} kills)`);
      assertSameDetections(killedDir, cleanDir);
    },
  );

  it(
    "over s3:// ends, after restarts, with exactly the detections of one clean run",
    {
      timeout: 600_000,
    },
    async () => {
      const ep = await startEndpoint();
      try {
        ep.world.addAccount(ACCOUNT);
        ep.world.addBucket("killed-logs", ACCOUNT);
        const key = ep.world.addUserKey(ACCOUNT);
        const now = Date.now();
        for (let f = 0; f < 400; f++) {
          const region = f % 2 ? "us-east-1" : "eu-west-1";
          const at = new Date(now - (f % 200) * 45 * 60_000 - 60_000);
          ep.world.putObject("killed-logs", ctKey(ACCOUNT, region, at, `u${f}`), logBody(fileRecords(f)));
        }
        const run = {
          args: ["--since", "10d"],
          env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey },
        };
        const aws = `aws:\n  endpoint: ${JSON.stringify(ep.url)}\n  s3ForcePathStyle: true\n  maxAttempts: 2\n`;
        const base = tempDir("tw-sigkill-s3-");
        const cleanDir = join(base, "clean");
        mkdirSync(cleanDir);
        await runCli(configFile(cleanDir, "s3://killed-logs", aws), undefined, run);
        const killedDir = join(base, "killed");
        mkdirSync(killedDir);
        const kills = await killUntilDone(configFile(killedDir, "s3://killed-logs", aws), 7, run);
        assert.ok(kills >= 3, `the scan was killed mid-way (${kills} kills)`);
        assertSameDetections(killedDir, cleanDir);
      } finally {
        await ep.stop();
      }
    },
  );
});
