// A backfill over an s3:// source on the test endpoint (real SDK clients over HTTP): it lists each
// folder from --since's key, reads what the incremental scan's look-back never reached, emits only
// detections not emitted before, and neither reads nor moves the folders' cursors.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runBackfill } from "../../src/logs/backfill.ts";
import { detectionsLog, openStateStore, runScan } from "../../src/logs/scan.ts";
import { loadRules } from "../../src/rules/index.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import { ctKey, logBody, readDetections, record, tempDir, testConfig } from "./support.ts";

const A = "111111111111";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const rule = (id: string, eventName: string) => `title: ${id}
id: ${id}
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ${eventName}
  condition: selection
`;

describe("backfilling an s3:// source", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
  });
  after(() => ep.stop());

  it("reads history from --since without the cursors, and emits only detections not emitted before", async () => {
    ep.world.addBucket("trail-history", A);
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const put = (ms: number, unique: string, records: unknown[]) =>
      ep.world.putObject("trail-history", ctKey(A, "us-east-1", new Date(ms), unique), logBody(records));
    put(now - 10 * DAY, "old", [record("old-stop", "StopLogging", { eventTime: iso(now - 10 * DAY) })]);
    put(now - 3 * DAY, "mid", [
      record("mid-stop", "StopLogging", { eventTime: iso(now - 3 * DAY) }),
      record("mid-del", "DeleteTrail", { eventTime: iso(now - 3 * DAY) }),
    ]);
    put(now - HOUR, "new", [
      record("new-stop", "StopLogging", { eventTime: iso(now - HOUR) }),
      record("new-del", "DeleteTrail", { eventTime: iso(now - HOUR) }),
    ]);
    const dir = tempDir("tw-backfill-s3-");
    const rules = join(dir, "rules");
    mkdirSync(rules);
    writeFileSync(join(rules, "stop.yml"), rule("rule-stop", "StopLogging"));
    const config = testConfig(dir, { sources: ["s3://trail-history"], lookbackHours: 24 });
    const clients = clientsFor(ep, A, { maxAttempts: 1 });

    // The incremental scan: the look-back reaches only the newest file.
    const live = await loadRules([rules]);
    await runScan({ config, clients, detector: live.ruleSet });
    assert.deepEqual(
      readDetections(config).map((d) => d.eventID),
      ["new-stop"],
    );
    const store = openStateStore(config);
    const cursorKey = `s3://trail-history/AWSLogs/${A}/CloudTrail/us-east-1/`;
    const cursor = store.cursor(cursorKey);
    assert.ok(cursor?.includes("_new"));

    writeFileSync(join(rules, "delete.yml"), rule("rule-delete", "DeleteTrail"));
    const loaded = await loadRules([rules]);
    const gets = () => ep.count({ service: "s3", operation: "GetObject" });
    const getsBefore = gets();
    const backfill = () =>
      runBackfill({
        config,
        detector: loaded.ruleSet,
        since: new Date(now - 7 * DAY),
        store,
        log: detectionsLog(config, store),
        clients,
      });
    const first = await backfill();
    assert.equal(first.files.read, 2, "the file older than --since is not listed");
    assert.equal(gets() - getsBefore, 2, "only the two files from --since on are downloaded");
    assert.equal(first.detections.total, 3);
    assert.equal(first.detections.duplicates, 1, "new-stop was emitted by the incremental scan");
    assert.deepEqual(
      readDetections(config)
        .map((d) => `${d.ruleId}:${d.eventID}`)
        .sort(),
      ["rule-delete:mid-del", "rule-delete:new-del", "rule-stop:mid-stop", "rule-stop:new-stop"],
    );
    assert.equal(store.cursor(cursorKey), cursor, "the cursor did not move");

    const second = await backfill();
    assert.equal(second.detections.total, 0, "a second backfill emits nothing");
    assert.equal(second.detections.duplicates, 4);
    assert.equal(readDetections(config).length, 4);
    store.close();

    // The next incremental scan is as if no backfill had run: nothing new, nothing read again.
    const next = await runScan({ config, clients, detector: loaded.ruleSet });
    assert.equal(next.files.read, 0);
    assert.equal(next.detections.total, 0);
  });
});
