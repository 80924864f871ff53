import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StateLockedError } from "../../src/state/lock.ts";
import { StateStore } from "../../src/state/store.ts";
import { tempDir } from "../logs/support.ts";

describe("the state store", () => {
  it("keeps cursors, files and emitted ids across a reopen", () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    s.setCursor("s3://b/p/", "p/k1");
    s.markFile("s3://b/p/k1", { at: 1, sig: "10:5" }, ["id1"], 120);
    s.close();
    const t = StateStore.open(dir);
    assert.equal(t.cursor("s3://b/p/"), "p/k1");
    assert.equal(t.isDone("s3://b/p/k1", "10:5"), true);
    assert.equal(t.isDone("s3://b/p/k1", "11:5"), false);
    assert.equal(t.hasEmitted("id1"), true);
    assert.equal(t.detectionsOffset, 120);
    t.close();
  });

  it("ignores a journal line cut off by a crash", () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    s.markFile("a", { at: 1 });
    s.close();
    appendFileSync(join(dir, "journal.jsonl"), '{"f":"b","at":');
    const t = StateStore.open(dir);
    assert.equal(t.isDone("a"), true);
    assert.equal(t.isDone("b"), false);
    t.markFile("c", { at: 2 });
    t.close();
    assert.doesNotMatch(readFileSync(join(dir, "journal.jsonl"), "utf8"), /"at":\{/);
    const u = StateStore.open(dir);
    assert.equal(u.isDone("c"), true);
    u.close();
  });

  it("replays an old journal over a newer snapshot without harm", () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    s.markFile("a", { at: 1 }, ["x"]);
    const journal = readFileSync(join(dir, "journal.jsonl"), "utf8");
    s.compact();
    s.close();
    // A crash between writing the snapshot and emptying the journal leaves both.
    writeFileSync(join(dir, "journal.jsonl"), journal);
    const t = StateStore.open(dir);
    assert.equal(t.isDone("a"), true);
    assert.equal(t.hasEmitted("x"), true);
    assert.equal(t.fileCount, 1);
    t.close();
  });

  it("drops expired ids and forgotten files when compacting", () => {
    const dir = tempDir();
    const s = StateStore.open(dir);
    s.markFile("old", { at: 1 }, ["old-id"]);
    s.markFile("new", { at: 100 }, ["new-id"]);
    s.compact({ emittedBefore: 50, forgetFile: (k) => k === "old" });
    s.close();
    const t = StateStore.open(dir);
    assert.equal(t.hasEmitted("old-id"), false);
    assert.equal(t.hasEmitted("new-id"), true);
    assert.equal(t.isDone("old"), false);
    assert.equal(t.isDone("new"), true);
    t.close();
  });

  it("refuses a state directory held by a live process and takes over a dead one's", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lock"), String(process.ppid));
    assert.throws(() => StateStore.open(dir), StateLockedError);
    writeFileSync(join(dir, "lock"), "999999999");
    StateStore.open(dir).close();
  });
});
