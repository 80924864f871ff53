// Kills the real CLI with SIGKILL while correlation windows are open, restarts it until it finishes,
// and checks detections.jsonl holds exactly the detections of one clean run: the windows' state is
// committed with each file, so a file read again after a kill neither loses nor doubles an event.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { logBody, readDetections, record, tempDir, testConfig } from "./support.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));

const RULES = `title: Console sign-in failures from one address
id: corr-fail-by-ip
level: high
correlation:
  type: event_count
  rules: [console_fail]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition:
    gte: 6
---
title: Reconnaissance breadth
id: corr-recon
correlation:
  type: value_count
  rules: [console_fail]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition:
    field: sourceIPAddress
    gte: 5
---
title: Console sign-in failure
id: base-fail
name: console_fail
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ConsoleLogin
  condition: selection
`;

const IPS = ["a", "b", "c", "d", "e", "f", "g"].map((x) => `198.51.100.${x.charCodeAt(0)}`);
const USERS = ["alice", "bob", "carol"];

/** File f covers 20 s of eventTime from 10:00 on; its 10 records cycle through addresses and users. */
function fileRecords(f: number): unknown[] {
  const out = [];
  for (let r = 0; r < 10; r++) {
    const n = f * 10 + r;
    out.push(
      record(`ev-${n}`, "ConsoleLogin", {
        eventSource: "signin.amazonaws.com",
        sourceIPAddress: IPS[(n * 3) % IPS.length],
        userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111111111111:user/${USERS[n % USERS.length]}` },
        eventTime: new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + f * 20_000 + r * 2_000).toISOString(),
      }),
    );
  }
  return out;
}

function writeLogs(dir: string, files: number): void {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++)
    writeFileSync(join(dir, `log-${String(f).padStart(4, "0")}.json.gz`), logBody(fileRecords(f)));
}

function configFile(dir: string, logs: string, rules: string): string {
  const file = join(dir, "config.yaml");
  // Four files at a time: they commit in an order that differs from run to run, and the windows are
  // still decided the same way (the watermark follows the files in listed order).
  writeFileSync(
    file,
    `rules: [${JSON.stringify(rules)}]\nlogs:\n  sources: [${JSON.stringify(`file://${logs}`)}]\n  concurrency: 4\nstate:\n  dir: ./state\noutput:\n  dir: ./out\nlogLevel: error\n`,
  );
  return file;
}

function walPages(dir: string): number {
  try {
    return Math.floor(statSync(join(dir, "state", "state.db-wal")).size / 4096);
  } catch {
    return 0;
  }
}

function runCli(config: string, killAfterPages?: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "scan", "--config", config, "--output", `${config}.json`],
      {
        cwd: repo,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const dir = dirname(config);
    const start = walPages(dir);
    const timer =
      killAfterPages === undefined
        ? undefined
        : setInterval(() => {
            if (walPages(dir) - start >= killAfterPages) child.kill("SIGKILL");
          }, 2);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearInterval(timer);
      if (code !== null && code !== 0) reject(new Error(`scan exited ${code}: ${stderr}`));
      else resolve(signal === "SIGKILL");
    });
  });
}

function detectionsIn(dir: string) {
  const config = testConfig(dir);
  config.output.dir = join(dir, "out");
  return readDetections(config);
}

describe("a scan with correlation rules killed with SIGKILL", () => {
  it("ends, after restarts, with exactly the detections of one clean run", { timeout: 600_000 }, async () => {
    const base = tempDir("tw-corr-kill-");
    const logs = join(base, "logs");
    writeLogs(logs, 240);
    const rules = join(base, "rules.yml");
    writeFileSync(rules, RULES);
    const cleanDir = join(base, "clean");
    mkdirSync(cleanDir);
    await runCli(configFile(cleanDir, logs, rules));
    const clean = detectionsIn(cleanDir);
    assert.ok(clean.length > 40, `a clean run finds correlations (${clean.length})`);
    assert.ok(
      clean.every((d) => d.correlation),
      "the base rule is quiet",
    );
    assert.ok(
      clean.some((d) => d.ruleId === "corr-recon") && clean.some((d) => d.ruleId === "corr-fail-by-ip"),
    );

    const killedDir = join(base, "killed");
    mkdirSync(killedDir);
    const config = configFile(killedDir, logs, rules);
    // Kill points from a fixed sequence, so every run of the test kills at the same places.
    const points = [3, 11, 7, 19, 5, 23, 13, 2];
    let kills = 0;
    for (let attempt = 0; attempt < 40; attempt++) {
      const killed = await runCli(config, attempt < points.length ? points[attempt] : undefined);
      if (killed) kills++;
      else break;
    }
    assert.ok(kills >= 3, `the scan was killed mid-way (${kills} kills)`);
    const after = detectionsIn(killedDir);
    const ids = after.map((d) => d.id);
    assert.equal(ids.length, new Set(ids).size, "no detection is duplicated");
    assert.deepEqual(
      after.map((d) => JSON.stringify([d.id, d.correlation])).sort(),
      clean.map((d) => JSON.stringify([d.id, d.correlation])).sort(),
    );
  });
});
