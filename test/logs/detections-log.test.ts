import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toDetection } from "../../src/logs/detection.ts";
import { DetectionsLog } from "../../src/logs/detections-log.ts";
import { record, STOP_LOGGING, tempDir } from "./support.ts";

const detection = (eventID: string) => toDetection(STOP_LOGGING, record(eventID, "StopLogging"), "f");

describe("the detections log", () => {
  it("gives back the ids written past a known length and cuts off a partial last line", () => {
    const file = join(tempDir(), "detections.jsonl");
    const log = new DetectionsLog(file);
    const known = log.append([detection("a")]);
    log.append([detection("b"), detection("c")]);
    log.close();
    appendFileSync(file, '{"id":"half-writ');
    const reopened = new DetectionsLog(file);
    const { ids, size } = reopened.recover(known);
    reopened.close();
    assert.deepEqual(ids, [detection("b").id, detection("c").id]);
    assert.equal(readFileSync(file, "utf8").length, size);
    assert.ok(readFileSync(file, "utf8").endsWith("\n"));
  });

  it("reads the whole file back when it is shorter than the known length (rotated)", () => {
    const file = join(tempDir(), "detections.jsonl");
    writeFileSync(file, `${JSON.stringify(detection("z"))}\n`);
    const log = new DetectionsLog(file);
    assert.deepEqual(log.recover(10_000).ids, [detection("z").id]);
    log.close();
  });
});
