import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DetectionsLog } from "../../src/logs/detections-log.ts";
import { DETECTIONS_CONSUMER } from "../../src/state/store.ts";
import { openTestStore, queue } from "../support/outbox.ts";
import { tempDir } from "./support.ts";

const line = (id: string) => JSON.stringify({ id, ruleId: "r1", level: "high" });
const ids = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);

describe("the detections log", () => {
  it("writes every outbox detection once, across drains", () => {
    const store = openTestStore();
    const file = join(tempDir(), "detections.jsonl");
    const log = new DetectionsLog(file, store);
    queue(store, [line("a"), line("b")]);
    assert.equal(log.drain(), 2);
    assert.equal(log.drain(), 0);
    queue(store, [line("c")]);
    log.drain();
    assert.deepEqual(ids(file), ["a", "b", "c"]);
    store.close();
  });

  it("counts lines written just before a crash as written and cuts a partial last line", () => {
    const store = openTestStore();
    const file = join(tempDir(), "detections.jsonl");
    const log = new DetectionsLog(file, store);
    queue(store, [line("a")]);
    log.drain();
    queue(store, [line("b"), line("c")]);
    // The crash: b was appended, c half, and the position never moved.
    appendFileSync(file, `${line("b")}\n${line("c").slice(0, 8)}`);
    log.drain();
    assert.deepEqual(ids(file), ["a", "b", "c"]);
    assert.equal(store.position(DETECTIONS_CONSUMER).bytes, readFileSync(file).length);
    store.close();
  });

  it("rotates by size and by day without losing or repeating a line", () => {
    const store = openTestStore();
    const dir = tempDir();
    const file = join(dir, "detections.jsonl");
    const log = new DetectionsLog(file, store, { maxBytes: 60, daily: true });
    queue(store, [line("a"), line("b")]);
    log.drain(new Date("2026-11-20T10:00:00Z"));
    queue(store, [line("c")]);
    log.drain(new Date("2026-11-20T10:05:00Z")); // past 60 bytes: rotated first
    utimesSync(file, new Date("2026-11-20T11:00:00Z"), new Date("2026-11-20T11:00:00Z"));
    queue(store, [line("d")]);
    log.drain(new Date("2026-11-21T00:01:00Z")); // a new day
    const names = readdirSync(dir).sort();
    assert.ok(names.length >= 3, names.join(","));
    const all = names.flatMap((n) => ids(join(dir, n)));
    assert.deepEqual(all.sort(), ["a", "b", "c", "d"]);
    store.close();
  });

  it("appends after a file it did not write when the recorded length is past its end", () => {
    const store = openTestStore();
    const file = join(tempDir(), "detections.jsonl");
    const log = new DetectionsLog(file, store);
    queue(store, [line("a")]);
    log.drain();
    writeFileSync(file, ""); // replaced by an operator
    queue(store, [line("b")]);
    log.drain();
    assert.deepEqual(ids(file), ["b"]);
    store.close();
  });
});
