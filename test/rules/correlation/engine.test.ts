import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryCorrelatorStore } from "../../../src/logs/correlator.ts";
import { baseRule, harness, loadTexts, rec } from "./support.ts";

const FAIL = baseRule("r-fail", "fail", "ConsoleLogin", "Failed");

function countRule(opts: { gte?: number; condition?: string; timespan?: string; groupBy?: string } = {}) {
  return `title: Many failures
id: many
level: high
correlation:
  type: event_count
  rules: [fail]
  group-by: [${opts.groupBy ?? "sourceIPAddress"}]
  timespan: ${opts.timespan ?? "5m"}
  condition: ${opts.condition ?? `{gte: ${opts.gte ?? 3}}`}
---
${FAIL}`;
}

const fail = (sec: number, ip = "203.0.113.9") =>
  rec(sec, "ConsoleLogin", { errorCode: "Failed", sourceIPAddress: ip });

describe("correlation engine: event_count", () => {
  it("fires once when the count first reaches the condition, with the group, window, count and events", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule() }));
    const recs = [fail(0), fail(60), fail(120), fail(130)];
    const fired = h.all(recs);
    assert.equal(fired.length, 1);
    const f = fired[0];
    assert.equal(f.ruleId, "many");
    assert.equal(f.title, "Many failures");
    assert.equal(f.level, "high");
    assert.deepEqual(f.groupBy, { sourceIPAddress: "203.0.113.9" });
    assert.deepEqual(f.window, { start: "2026-11-20T10:00:00.000Z", end: "2026-11-20T10:02:00.000Z" });
    assert.equal(f.value, 3);
    assert.deepEqual(
      f.eventIDs,
      recs.slice(0, 3).map((r) => r.eventID),
    );
    assert.match(f.id, /^[0-9a-f]{32}$/);
  });

  it("gives the same detection id for the same rule, group and first event", async () => {
    const loaded = await loadTexts({ "c.yml": countRule() });
    const recs = [fail(0), fail(60), fail(120)];
    assert.equal(harness(loaded).all(recs)[0].id, harness(loaded).all(recs)[0].id);
  });

  it("counts each group separately", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule() }));
    assert.deepEqual(h.file([fail(0, "a"), fail(1, "b"), fail(2, "a"), fail(3, "b")]), []);
    const fired = h.all([fail(4, "a")]);
    assert.deepEqual(
      fired.map((f) => f.groupBy),
      [{ sourceIPAddress: "a" }],
    );
  });

  it("counts events exactly one timespan apart in one window, and not a millisecond more", async () => {
    const loaded = await loadTexts({ "c.yml": countRule({ gte: 2 }) });
    assert.equal(harness(loaded).all([fail(0, "a"), fail(300, "a")]).length, 1);
    const late = rec(0, "ConsoleLogin", { errorCode: "Failed", sourceIPAddress: "b" });
    const later = rec(0, "ConsoleLogin", {
      errorCode: "Failed",
      sourceIPAddress: "b",
      eventTime: "2026-11-20T10:05:00.001Z",
    });
    assert.equal(harness(loaded).all([late, later]).length, 0);
  });

  it("gives a steady flood one detection per timespan, not one per event", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule({ gte: 3, timespan: "1m" }) }));
    const fired = [];
    // One failure every 5 s for 10 minutes, one file per record.
    for (let s = 0; s < 600; s += 5) fired.push(...h.file([fail(s)]));
    fired.push(...h.end());
    // Fires at 10 s, then re-arms: the next window must end more than 60 s after the firing.
    assert.deepEqual(
      fired.map((f) => f.window.end.slice(11, 19)),
      [
        "10:00:10",
        "10:01:15",
        "10:02:20",
        "10:03:25",
        "10:04:30",
        "10:05:35",
        "10:06:40",
        "10:07:45",
        "10:08:50",
        "10:09:55",
      ],
    );
  });

  it("counts a record that arrives late but within the lateness, and drops one beyond it", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule({ gte: 2, timespan: "10m" }) }), {
      latenessMinutes: 15,
    });
    h.file([fail(3600, "a")]); // the latest eventTime seen is 11:00
    assert.equal(h.file([fail(3600 - 14 * 60, "b")]).length, 0);
    assert.equal(h.file([fail(3600 - 13 * 60, "b")]).length, 0, "10:46 is within 15 min of 11:00");
    assert.equal(h.file([fail(3600 - 16 * 60, "c"), fail(3600 - 16 * 60, "c")]).length, 0);
    assert.equal(h.engine.stats.late, 2);
    assert.deepEqual(
      h.end().map((f) => f.groupBy),
      [{ sourceIPAddress: "b" }],
    );
  });

  it("counts the same record delivered twice once", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule({ gte: 2 }) }));
    const r = fail(0);
    assert.equal(h.file([r]).length, 0);
    assert.equal(h.file([r]).length, 0);
  });

  it("decides an upper-bound condition only when its window is final", async () => {
    const h = harness(
      await loadTexts({ "c.yml": countRule({ condition: "{gte: 2, lte: 3}", timespan: "5m" }) }),
      {
        latenessMinutes: 1,
      },
    );
    assert.equal(h.file([fail(0, "a"), fail(10, "a")]).length, 0, "not final yet");
    assert.equal(h.file([fail(200, "z")]).length, 0, "watermark 10:02:20: window ends 10:05");
    const fired = h.file([fail(400, "z")]);
    assert.equal(fired.length, 1, "watermark 10:05:40: the window [10:00, 10:05] is final");
    assert.deepEqual(fired[0].groupBy, { sourceIPAddress: "a" });
    assert.equal(fired[0].value, 2);
  });

  it("refuses new groups beyond the cap and counts what it dropped", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule({ gte: 2 }) }), { maxGroups: 2 });
    h.file([fail(0, "a"), fail(1, "b"), fail(2, "c"), fail(3, "d")]);
    assert.equal(h.engine.stats.liveGroups, 2);
    assert.equal(h.engine.stats.groupsRefused, 2);
    assert.equal(h.all([fail(4, "a")]).length, 1);
  });

  it("stays within the group cap under a flood of distinct groups, and takes new ones once old ones expire", async () => {
    const loaded = await loadTexts({ "c.yml": countRule({ gte: 2, timespan: "1m" }) });
    const h = harness(loaded, { maxGroups: 5000, latenessMinutes: 1 });
    const { eventsOf } = await import("./support.ts");
    // 100 000 one-event groups, one address each, in files of 10 000 records.
    for (let f = 0; f < 10; f++) {
      const records = [];
      for (let i = 0; i < 10_000; i++) records.push(fail(f, `10.${f}.${i >> 8}.${i & 255}`));
      h.engine.consume(eventsOf(loaded, records));
      h.engine.committed();
    }
    assert.equal(h.engine.stats.liveGroups, 5000);
    assert.equal(h.engine.stats.groupsRefused, 95_000);
    // Ten minutes later every window has passed: the old groups are gone and a new one opens.
    h.file([fail(600, "192.0.2.1")]);
    assert.equal(h.engine.stats.liveGroups, 1);
  });

  it("expires groups whose windows have passed", async () => {
    const h = harness(await loadTexts({ "c.yml": countRule({ gte: 5, timespan: "1m" }) }), {
      latenessMinutes: 1,
    });
    h.file([fail(0, "a"), fail(1, "b")]);
    assert.equal(h.engine.stats.liveGroups, 2);
    h.file([fail(600, "c")]);
    assert.equal(h.engine.stats.liveGroups, 1);
  });

  it("continues from its stored state as if it had not stopped", async () => {
    const loaded = await loadTexts({ "c.yml": countRule({ gte: 4 }) });
    const recs = [fail(0), fail(10), fail(20), fail(30), fail(40)];
    const clean = harness(loaded).file(recs);
    const store = new MemoryCorrelatorStore();
    const first = harness(loaded, { store });
    assert.deepEqual(first.file(recs.slice(0, 2)), []);
    const second = harness(loaded, { store });
    assert.deepEqual([...second.file(recs.slice(2))], clean);
  });

  it("forgets what a failed commit changed", async () => {
    const loaded = await loadTexts({ "c.yml": countRule({ gte: 2 }) });
    const store = new MemoryCorrelatorStore();
    const h = harness(loaded, { store });
    h.file([fail(0)]);
    // A second file's changes reach the engine but its commit fails: the store keeps the first file's.
    const puts: [string, unknown][] = [];
    const buffered = {
      get: (ns: string, k: string) => store.get(ns, k),
      put: (_: string, k: string, v: unknown) => void puts.push([k, v]),
    };
    const { CorrelationEngine } = await import("../../../src/rules/correlation/engine.ts");
    const e = new CorrelationEngine(loaded.correlations, buffered, store.entries("correlation"), {
      latenessMs: 900_000,
      maxGroups: 10,
      maxEventIds: 5,
      now: () => Date.UTC(2027, 0, 1),
    });
    const { eventsOf } = await import("./support.ts");
    e.consume(eventsOf(loaded, [fail(5)]));
    e.rollback();
    e.consume(eventsOf(loaded, [fail(6)]));
    assert.deepEqual(
      e.finish().map((f) => f.eventCount),
      [2],
      "the group holds only the committed event again",
    );
  });
});

describe("correlation engine: value_count, temporal, chains", () => {
  it("counts distinct values of a field per group", async () => {
    const text = `title: Recon
id: recon
correlation:
  type: value_count
  rules: [any_call]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition:
    field: eventName
    gte: 3
---
title: Any list call
id: r-list
name: any_call
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName|startswith: List
  condition: selection
`;
    const h = harness(await loadTexts({ "v.yml": text }));
    assert.deepEqual(h.file([rec(0, "ListUsers"), rec(1, "ListUsers"), rec(2, "ListRoles")]), []);
    const [f] = h.all([rec(3, "ListBuckets")]);
    assert.equal(f.value, 3);
    assert.deepEqual(f.values, ["ListUsers", "ListRoles", "ListBuckets"]);
    assert.deepEqual(f.groupBy, { "userIdentity.arn": "arn:aws:iam::111111111111:user/alice" });
    assert.equal(f.eventCount, 4);
  });

  const PERSIST = `title: Persistence
id: persist
correlation:
  type: temporal_ordered
  rules: [create_user, create_key]
  group-by: [target]
  timespan: 1h
  aliases:
    target:
      create_user: requestParameters.userName
      create_key: requestParameters.userName
---
${baseRule("r-cu", "create_user", "CreateUser")}---
${baseRule("r-ck", "create_key", "CreateAccessKey")}`;
  const forUser = (sec: number, name: string, user: string) =>
    rec(sec, name, { requestParameters: { userName: user } });

  it("fires temporal_ordered when the rules match in order for the same aliased value", async () => {
    const h = harness(await loadTexts({ "p.yml": PERSIST }));
    const fired = h.all([forUser(0, "CreateUser", "mallory"), forUser(60, "CreateAccessKey", "mallory")]);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0].groupBy, { target: "mallory" });
    assert.equal(fired[0].value, 2);
  });

  it("does not fire temporal_ordered for the reverse order or another user", async () => {
    const h = harness(await loadTexts({ "p.yml": PERSIST }));
    assert.deepEqual(h.file([forUser(0, "CreateAccessKey", "bob"), forUser(60, "CreateUser", "bob")]), []);
    assert.deepEqual(h.file([forUser(0, "CreateUser", "carol"), forUser(60, "CreateAccessKey", "dave")]), []);
    assert.deepEqual(h.end(), []);
  });

  it("takes two events of the same second as in the order of `rules`", async () => {
    const h = harness(await loadTexts({ "p.yml": PERSIST }));
    assert.equal(h.all([forUser(5, "CreateAccessKey", "eve"), forUser(5, "CreateUser", "eve")]).length, 1);
  });

  it("fires temporal in any order", async () => {
    const h = harness(await loadTexts({ "p.yml": PERSIST.replace("temporal_ordered", "temporal") }));
    assert.equal(h.all([forUser(0, "CreateAccessKey", "bob"), forUser(60, "CreateUser", "bob")]).length, 1);
  });

  it("feeds a correlation's firing to the correlation chained over it, emitting only the outer one", async () => {
    const text = `title: Brute force then success
id: outer
correlation:
  type: temporal_ordered
  rules: [many_fail, ok_login]
  group-by: [sourceIPAddress]
  timespan: 10m
---
${countRule().replace("id: many", "id: many\nname: many_fail").replace(`---\n${FAIL}`, "")}---
${FAIL}---
${baseRule("r-ok", "ok_login", "ConsoleLogin", "Success")}`;
    const h = harness(await loadTexts({ "x.yml": text }));
    const ok = rec(200, "ConsoleLogin", { errorCode: "Success", sourceIPAddress: "203.0.113.9" });
    const fired = h.all([fail(0), fail(10), fail(20), ok]);
    assert.deepEqual(
      fired.map((f) => [f.ruleId, f.emit]),
      [
        ["many", false],
        ["outer", true],
      ],
    );
    assert.equal(fired[1].eventIDs[0], fired[0].id, "the chained event is the inner detection");
  });

  it("sums a numeric field with value_sum once the window is final", async () => {
    const text = `title: Big transfer
id: sum
correlation:
  type: value_sum
  rules: [get]
  group-by: [userIdentity.arn]
  timespan: 5m
  condition:
    field: additionalEventData.bytesTransferredOut
    gt: 1000
---
${baseRule("r-get", "get", "GetObject")}`;
    const h = harness(await loadTexts({ "s.yml": text }), { latenessMinutes: 1 });
    const get = (sec: number, bytes: number) =>
      rec(sec, "GetObject", { additionalEventData: { bytesTransferredOut: bytes } });
    assert.deepEqual(h.file([get(0, 600), get(60, 500)]), []);
    const fired = h.file([rec(1000, "Other")]).concat(h.file([get(1000, 1)]));
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 1100);
  });
});
