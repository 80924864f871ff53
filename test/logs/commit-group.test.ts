import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CommitGroup, StateCommitter } from "../../src/logs/commit.ts";
import type { Detection } from "../../src/logs/detection.ts";
import { DetectionsLog } from "../../src/logs/detections-log.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import { StateStore } from "../../src/state/store.ts";
import { tempDir } from "./support.ts";

const det = (eventID: string): Detection => ({
  id: `id-${eventID}`,
  ruleId: "r1",
  ruleTitle: "R1",
  level: "high",
  tags: [],
  eventID,
  eventTime: "2026-11-20T10:00:00Z",
  eventSource: "s",
  eventName: "n",
  awsRegion: "us-east-1",
  recipientAccountId: "1",
  sourceIPAddress: "1.2.3.4",
  principal: "p",
  logFile: "f",
  groupKey: "g",
});

/** The store, detections.jsonl and a grouped committer, as runScan wires them. */
function open(stateDir: string, outDir: string) {
  const state = StateStore.open(stateDir);
  const log = new DetectionsLog(join(outDir, "detections.jsonl"), state);
  const group = new CommitGroup(state, log);
  const summary = emptySummary();
  return { state, log, group, summary, committer: new StateCommitter(state, log, summary, undefined, group) };
}

function commitFile(c: StateCommitter, key: string, ids: string[]): void {
  const batch = c.begin({ key });
  for (const id of ids) batch.add(det(id));
  batch.commit();
}

const lines = (outDir: string) => {
  const file = join(outDir, "detections.jsonl");
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as Detection).eventID)
    : [];
};

describe("group commit of the incremental scan", () => {
  it("commits the files that finish together in one group, each with exactly its own detections", async () => {
    const out = tempDir();
    const s = open(tempDir(), out);
    commitFile(s.committer, "file:///a", ["a1", "a2"]);
    commitFile(s.committer, "file:///b", ["b1", "a1"]);
    // Not durable yet: nothing in detections.jsonl until the group commits.
    assert.equal(s.state.inGroup, true);
    assert.deepEqual(lines(out), []);
    await s.group.settled();
    assert.equal(s.state.inGroup, false);
    assert.deepEqual(lines(out), ["a1", "a2", "b1"]);
    assert.equal(s.state.isDone("file:///a"), true);
    assert.equal(s.state.isDone("file:///b"), true);
    assert.equal(s.summary.detections.duplicates, 1);
    s.state.close();
  });

  it("loses a whole uncommitted group when the process is killed, and the files read again give each detection once", async () => {
    const stateDir = tempDir();
    const out = tempDir();
    // A first group commits (a), a second is open (b, c) when the process is killed.
    const script = `
      import { join } from "node:path";
      import { CommitGroup, StateCommitter } from ${JSON.stringify(join(process.cwd(), "src/logs/commit.ts"))};
      import { DetectionsLog } from ${JSON.stringify(join(process.cwd(), "src/logs/detections-log.ts"))};
      import { emptySummary } from ${JSON.stringify(join(process.cwd(), "src/logs/summary.ts"))};
      import { StateStore } from ${JSON.stringify(join(process.cwd(), "src/state/store.ts"))};
      const [stateDir, out] = process.argv.slice(1);
      const state = StateStore.open(stateDir);
      const log = new DetectionsLog(join(out, "detections.jsonl"), state);
      const group = new CommitGroup(state, log);
      const c = new StateCommitter(state, log, emptySummary(), undefined, group);
      const det = (eventID) => ({ id: "id-" + eventID, ruleId: "r1", ruleTitle: "R1", level: "high", eventID });
      const file = (key, ids) => { const b = c.begin({ key }); for (const id of ids) b.add(det(id)); b.commit(); };
      file("file:///a", ["a1"]);
      await group.settled();
      file("file:///b", ["b1", "b2"]);
      file("file:///c", ["c1"]);
      console.log("open");
      // Never yield to the event loop: the group's commit (scheduled with setImmediate) cannot run
      // before the kill. Writes to a pipe are synchronous on Linux, so "open" has left already.
      for (;;) {}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script, stateDir, out],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const s = open(stateDir, out);
    s.log.drain();
    assert.equal(s.state.isDone("file:///a"), true);
    assert.equal(s.state.isDone("file:///b"), false);
    assert.equal(s.state.isDone("file:///c"), false);
    assert.deepEqual(lines(out), ["a1"]);
    // The next run reads every file again (a too, say its mark was not checked).
    commitFile(s.committer, "file:///a", ["a1"]);
    commitFile(s.committer, "file:///b", ["b1", "b2"]);
    commitFile(s.committer, "file:///c", ["c1"]);
    await s.group.settled();
    assert.deepEqual(lines(out), ["a1", "b1", "b2", "c1"]);
    assert.equal(s.summary.detections.total, 3);
    s.state.close();
  });

  it("rolls a failing file back alone: the files before it in the group still commit", async () => {
    const out = tempDir();
    const s = open(tempDir(), out);
    commitFile(s.committer, "file:///a", ["a1"]);
    const bad = s.committer.begin({ key: "file:///b" });
    bad.add(det("b1"));
    // The file's commit fails halfway (its mark is written, then an error): its savepoint is undone.
    assert.throws(() =>
      s.state.tx(() => {
        s.state.run("markFile", "file:///b", null, 1, null, null);
        throw new Error("fault in the middle of a file");
      }),
    );
    bad.abort();
    await s.group.settled();
    assert.equal(s.state.isDone("file:///a"), true);
    assert.equal(s.state.isDone("file:///b"), false);
    assert.deepEqual(lines(out), ["a1"]);
    s.state.close();
  });
});
