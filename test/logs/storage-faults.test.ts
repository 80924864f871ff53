// A full disk under state.dir or output.dir, for real: a small tmpfs mounted for the test (as root;
// the test skips, saying why, where mounting is not allowed). The scan must stop with exit 3
// naming the path, leave no garbled line, and once space is back end with exactly the detections
// of a clean run.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { logBody, record } from "./support.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const rules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));

function canMount(): string | undefined {
  if (process.platform !== "linux") return "tmpfs mounts need Linux";
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const probe = mkdtempSync(join(tmpdir(), "tw-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return undefined;
  } catch {
    return "this machine does not allow mounting a tmpfs";
  }
}

const skip = canMount();
const mounted: string[] = [];
after(() => {
  for (const m of mounted) spawnSync("umount", [m]);
});

function tmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounted.push(dir);
}
const grow = (dir: string) => execFileSync("mount", ["-o", "remount,size=64m", dir]);

/** 200 files of 20 records; every StopLogging and DeleteTrail record is a detection (~1,000). */
function writeLogs(dir: string): void {
  for (let f = 0; f < 200; f++) {
    const records = [];
    for (let r = 0; r < 20; r++) {
      const n = f * 20 + r;
      const name = n % 4 === 0 ? "StopLogging" : n % 5 === 0 ? "DeleteTrail" : "DescribeTrails";
      records.push(record(`ev-${n}`, name, { eventSource: "cloudtrail.amazonaws.com" }));
    }
    mkdirSync(join(dir, `d${f % 5}`), { recursive: true });
    writeFileSync(join(dir, `d${f % 5}`, `log-${String(f).padStart(4, "0")}.json.gz`), logBody(records));
  }
}

function scan(base: string, logs: string): { code: number | null; stderr: string } {
  const config = join(base, "config.yaml");
  writeFileSync(
    config,
    `rules: [${JSON.stringify(rules)}]\nlogs:\n  sources: [${JSON.stringify(`file://${logs}`)}]\nstate:\n  dir: ./state\noutput:\n  dir: ./out\nlogLevel: error\n`,
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "scan", "--config", config], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  return { code: r.status, stderr: r.stderr };
}

/** Every line parses (nothing garbled); returns the ids. */
function detectionIds(base: string): string[] {
  const text = readFileSync(join(base, "out", "detections.jsonl"), "utf8");
  assert.ok(text === "" || text.endsWith("\n"), "no partial last line");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

describe("a full disk", { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), "tw-enospc-"));
  const logs = join(root, "logs");
  writeLogs(logs);
  const cleanDir = join(root, "clean");
  mkdirSync(cleanDir);

  it("under output.dir stops the scan with exit 3, and the next run ends with exactly a clean run's detections", () => {
    assert.equal(scan(cleanDir, logs).code, 0);
    const clean = detectionIds(cleanDir).sort();
    assert.ok(clean.length > 500, `${clean.length} detections`);
    const base = join(root, "out-full");
    tmpfs(join(base, "out"), "96k");
    const full = scan(base, logs);
    assert.equal(full.code, 3, full.stderr);
    assert.match(full.stderr, new RegExp(`${join(base, "out", "detections.jsonl")}: disk full \\(ENOSPC\\)`));
    const partial = detectionIds(base);
    assert.ok(partial.length < clean.length, "the disk filled before the end");
    grow(join(base, "out"));
    const again = scan(base, logs);
    assert.equal(again.code, 0, again.stderr);
    const after = detectionIds(base);
    assert.equal(after.length, new Set(after).size, "no detection is duplicated");
    assert.deepEqual(after.sort(), clean);
  });

  it("under state.dir stops the scan with exit 3, and the next run ends with exactly a clean run's detections", () => {
    const clean = detectionIds(cleanDir).sort();
    const base = join(root, "state-full");
    tmpfs(join(base, "state"), "160k");
    const full = scan(base, logs);
    assert.equal(full.code, 3, full.stderr);
    assert.match(full.stderr, /state\.db.*disk full \(ENOSPC\)|disk full \(ENOSPC\).*state/);
    grow(join(base, "state"));
    const again = scan(base, logs);
    assert.equal(again.code, 0, again.stderr);
    const after = detectionIds(base);
    assert.equal(after.length, new Set(after).size, "no detection is duplicated");
    assert.deepEqual(after.sort(), clean);
  });
});
