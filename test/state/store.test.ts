import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DETECTIONS_CONSUMER, StateLockedError, StateStore, sinkConsumer } from "../../src/state/store.ts";
import { tempDir } from "../logs/support.ts";

const det = (id: string, ruleId = "r1", level = "high") => ({
  id,
  ruleId,
  level,
  body: JSON.stringify({ id, ruleId, level }),
});

describe("the state store", () => {
  it("keeps cursors, file marks and emitted ids across a reopen", () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    s.setCursor("s3://b/p/", "p/k1");
    const w = s.beginFile("s3://b/p/k1", "s3://b/p/");
    w.add(det("id1"));
    w.commit({ at: 1, sig: "10:5" });
    s.close();
    const t = StateStore.open(dir);
    assert.equal(t.cursor("s3://b/p/"), "p/k1");
    assert.equal(t.isDone("s3://b/p/k1", "10:5"), true);
    assert.equal(t.isDone("s3://b/p/k1", "11:5"), false);
    assert.equal(t.hasEmitted("id1"), true);
    t.close();
  });

  it("puts a file's new detections in the outbox and suppresses ids emitted by an earlier file", () => {
    const s = StateStore.open(tempDir());
    const a = s.beginFile("a");
    a.add(det("x"));
    a.add(det("y", "r2", "low"));
    a.add(det("x")); // the same record twice in one file
    const ra = a.commit({ at: 1 });
    assert.deepEqual([ra.fresh, ra.duplicates], [2, 0]);
    assert.deepEqual(ra.byRule, { r1: 1, r2: 1 });
    const b = s.beginFile("b");
    b.add(det("y", "r2", "low"));
    b.add(det("z"));
    const rb = b.commit({ at: 2 });
    assert.deepEqual([rb.fresh, rb.duplicates], [1, 1]);
    assert.deepEqual(
      s.outboxAfter(0, 10).map((r) => r.id),
      ["x", "y", "z"],
    );
    assert.deepEqual(
      [...s.outboxRange(rb.firstSeq, rb.lastSeq)].map((r) => r.id),
      ["z"],
    );
    s.close();
  });

  it("commits a file with more detections than it buffers, in order, without duplicates", () => {
    const s = StateStore.open(tempDir());
    const w = s.beginFile("big");
    for (let i = 0; i < 5000; i++) w.add(det(`d${i}`));
    for (let i = 0; i < 100; i++) w.add(det(`d${i}`));
    const r = w.commit({ at: 1 });
    assert.equal(r.fresh, 5000);
    const rows = s.outboxAfter(0, 10_000);
    assert.equal(rows.length, 5000);
    assert.equal(rows[4999].id, "d4999");
    s.close();
  });

  it("leaves no trace of an aborted file, even after its detections spilled to disk", () => {
    const s = StateStore.open(tempDir());
    const w = s.beginFile("f");
    for (let i = 0; i < 2000; i++) w.add(det(`d${i}`));
    w.abort();
    assert.equal(s.isDone("f"), false);
    const again = s.beginFile("f");
    again.add(det("d1"));
    assert.equal(again.commit({ at: 1 }).fresh, 1);
    assert.equal(s.outboxAfter(0, 10).length, 1);
    s.close();
  });

  it("quarantines a key with growing attempts, offers it for retry when due, and releases it on commit", () => {
    const s = StateStore.open(tempDir());
    s.quarantine({
      key: "s3://b/AWSLogs/k",
      scope: "s3://b/AWSLogs/",
      kind: "permanent",
      reason: "AccessDenied",
      at: 10,
      nextAt: 100,
    });
    const e = s.quarantine({
      key: "s3://b/AWSLogs/k",
      scope: "s3://b/AWSLogs/",
      kind: "permanent",
      reason: "AccessDenied",
      at: 20,
      nextAt: 200,
    });
    assert.equal(e.attempts, 2);
    assert.equal(e.firstAt, 10);
    assert.deepEqual(s.dueForRetry("s3://b/", 150), []);
    assert.deepEqual(s.dueForRetry("s3://other/", 250), []);
    assert.deepEqual(
      s.dueForRetry("s3://b/", 250).map((q) => q.key),
      ["s3://b/AWSLogs/k"],
    );
    s.beginFile("s3://b/AWSLogs/k").commit({ at: 300 });
    assert.equal(s.quarantineEntry("s3://b/AWSLogs/k"), undefined);
    s.close();
  });

  it("prunes expired ids, marks below a bound and outbox rows every consumer has", () => {
    const s = StateStore.open(tempDir());
    const old = s.beginFile("s3://b/f/1", "s3://b/f/");
    old.add(det("old"));
    old.commit({ at: 1 });
    const fresh = s.beginFile("s3://b/f/2", "s3://b/f/");
    fresh.add(det("new"));
    fresh.commit({ at: 100 });
    s.setPosition(DETECTIONS_CONSUMER, { seq: 2, bytes: 0 });
    s.setPosition(sinkConsumer("webhook"), { seq: 1, bytes: 0 });
    s.forgetFilesUpTo("s3://b/f/", "s3://b/f/1");
    s.prune({
      emittedBefore: 50,
      consumers: [DETECTIONS_CONSUMER, sinkConsumer("webhook")],
      outboxBefore: 0,
    });
    assert.equal(s.hasEmitted("old"), false);
    assert.equal(s.hasEmitted("new"), true);
    assert.equal(s.isDone("s3://b/f/1"), false);
    assert.equal(s.isDone("s3://b/f/2"), true);
    assert.deepEqual(
      s.outboxAfter(0, 10).map((r) => r.id),
      ["new"],
      "the webhook has not taken the second detection yet",
    );
    s.close();
  });

  it("refuses a second process on the same state directory with a clear message, and lets it in after", async () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    const script = `import { StateStore } from ${JSON.stringify(join(process.cwd(), "src/state/store.ts"))};
      try { StateStore.open(process.argv[1]).close(); console.log("opened"); }
      catch (e) { console.log(e.name + ": " + e.message); }`;
    const run = () =>
      execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir], {
        encoding: "utf8",
      }).trim();
    assert.match(run(), /^StateLockedError: state directory .* is in use by another trailwarden process/);
    s.close();
    assert.equal(run(), "opened");
  });

  it("is free again once the process that held it is killed", async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { StateStore } from ${JSON.stringify(join(process.cwd(), "src/state/store.ts"))};
         StateStore.open(process.argv[1]); console.log("held"); setInterval(() => {}, 1000);`,
        dir,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    assert.throws(() => StateStore.open(dir), StateLockedError);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    StateStore.open(dir).close();
  });

  it("imports a 0.1 state folder once, re-emitting nothing and queueing what a sink had not delivered", () => {
    const dir = tempDir();
    const out = tempDir();
    const detectionsFile = join(out, "detections.jsonl");
    const lines = ["a", "b", "c"].map((id) => JSON.stringify({ id, ruleId: "r1", level: "high" }));
    writeFileSync(detectionsFile, `${lines.join("\n")}\n`);
    const offsetAfterB = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`);
    const offsetAfterA = Buffer.byteLength(`${lines[0]}\n`);
    writeFileSync(
      join(dir, "state.json"),
      JSON.stringify({
        version: 1,
        cursors: { "s3://b/AWSLogs/1/CloudTrail/us-east-1/": "k9" },
        files: { "s3://b/k1": { at: 5 }, "file:///logs/x.json": { at: 5, sig: "1:2" } },
        emitted: { a: 5 },
        detectionsOffset: offsetAfterA,
      }),
    );
    writeFileSync(
      join(dir, "journal.jsonl"),
      `${JSON.stringify({ f: "s3://b/k2", at: 6, ids: ["b"], o: offsetAfterB })}\n{"f":"cut`,
    );
    writeFileSync(join(dir, "notify-webhook.json"), JSON.stringify({ offset: offsetAfterA }));
    writeFileSync(join(dir, "daemon.json"), JSON.stringify({ jobs: {} }));
    const s = StateStore.open(dir, { legacy: { detectionsFile } });
    assert.equal(s.cursor("s3://b/AWSLogs/1/CloudTrail/us-east-1/"), "k9");
    assert.equal(s.isDone("s3://b/k2"), true);
    assert.equal(s.isDone("file:///logs/x.json", "1:2"), true);
    for (const id of ["a", "b", "c"]) assert.equal(s.hasEmitted(id), true, `${id} counts as emitted`);
    const sinkPos = s.position(sinkConsumer("webhook")).seq;
    assert.deepEqual(
      s.outboxAfter(sinkPos, 10).map((r) => r.id),
      ["b", "c"],
      "the webhook still gets b and c",
    );
    const filePos = s.position(DETECTIONS_CONSUMER);
    assert.deepEqual(s.outboxAfter(filePos.seq, 10), [], "detections.jsonl already has them all");
    assert.equal(filePos.bytes, readFileSync(detectionsFile).length);
    s.close();
    assert.ok(!existsSync(join(dir, "state.json")), "the old files were moved away");
    assert.ok(readdirSync(dir).some((n) => n.startsWith("legacy-")));
    const again = StateStore.open(dir, { legacy: { detectionsFile } });
    assert.equal(again.outboxAfter(0, 10).length, 2, "a second open imports nothing more");
    again.close();
  });
});
