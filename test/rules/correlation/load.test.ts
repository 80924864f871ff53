import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseRule, loadTexts, problemLines } from "./support.ts";

const COUNT = (rules: string, extra = "") => `title: Many
id: many
correlation:
  type: event_count
  rules: ${rules}
  group-by:
    - sourceIPAddress
  timespan: 5m
  condition:
    gte: 3
${extra}`;

describe("loading correlation rules", () => {
  it("loads a base rule and its correlation from one multi-document file", async () => {
    const loaded = await loadTexts({
      "c.yml": `${COUNT("[fail]")}---\n${baseRule("r-fail", "fail", "ConsoleLogin")}`,
    });
    assert.deepEqual(problemLines(loaded), []);
    assert.equal(loaded.ruleSet.rules.length, 1);
    const [c] = loaded.correlations.correlations;
    assert.equal(c.id, "many");
    assert.deepEqual(c.inputs, ["r-fail"]);
    assert.equal(c.timespanMs, 300_000);
    assert.deepEqual(c.condition.ops, [{ op: "gte", value: 3 }]);
  });

  it("resolves a reference by id to a rule in another file", async () => {
    const loaded = await loadTexts({
      "a.yml": COUNT("r-fail"),
      "b.yml": baseRule("r-fail", undefined, "ConsoleLogin"),
    });
    assert.deepEqual(problemLines(loaded), []);
    assert.deepEqual(loaded.correlations.correlations[0].inputs, ["r-fail"]);
  });

  it("gives a base rule used by a correlation a projection of the group-by fields, not emitted by default", async () => {
    const loaded = await loadTexts({
      "c.yml": `${COUNT("fail")}---\n${baseRule("r-fail", "fail", "ConsoleLogin")}`,
    });
    const rule = loaded.ruleSet.rules[0];
    assert.equal(rule.correlation?.emit, false);
    assert.deepEqual(rule.correlation?.fields, ["sourceIPAddress"]);
    const e = rule.correlation!.project({
      eventID: "e1",
      eventTime: "2026-11-20T10:00:00Z",
      sourceIPAddress: "203.0.113.9",
    });
    assert.deepEqual(e, {
      ruleId: "r-fail",
      eventID: "e1",
      eventTime: "2026-11-20T10:00:00Z",
      values: { sourceIPAddress: "203.0.113.9" },
    });
  });

  it("lets the base rule emit its own detections with generate: true", async () => {
    const text = `${COUNT("fail").replace("  timespan: 5m", "  timespan: 5m\n  generate: true")}---\n${baseRule("r-fail", "fail", "ConsoleLogin")}`;
    const loaded = await loadTexts({ "c.yml": text });
    assert.deepEqual(problemLines(loaded), []);
    assert.equal(loaded.ruleSet.rules[0].correlation?.emit, true);
  });

  it("maps an alias to a different field per rule", async () => {
    const text = `title: Persist
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
    const loaded = await loadTexts({ "p.yml": text });
    assert.deepEqual(problemLines(loaded), []);
    const c = loaded.correlations.correlations[0];
    assert.deepEqual(c.groupKeys.get("r-cu"), ["requestParameters.userName"]);
    assert.deepEqual(c.condition.ops, [{ op: "gte", value: 2 }], "temporal default: every rule");
    const e = loaded.ruleSet.rules[0].correlation!.project({ requestParameters: { userName: "mallory" } });
    assert.deepEqual(e.values, { "requestParameters.userName": "mallory" });
  });

  it("chains a correlation over a correlation and keeps the inner one quiet", async () => {
    const text = `title: Outer
id: outer
correlation:
  type: temporal_ordered
  rules: [many_fail, ok_login]
  group-by: [sourceIPAddress]
  timespan: 10m
---
${COUNT("fail").replace("id: many", "id: many\nname: many_fail")}---
${baseRule("r-fail", "fail", "ConsoleLogin", "Failed")}---
${baseRule("r-ok", "ok_login", "ConsoleLogin")}`;
    const loaded = await loadTexts({ "x.yml": text });
    assert.deepEqual(problemLines(loaded), []);
    const ids = loaded.correlations.correlations.map((c) => c.id);
    assert.deepEqual(ids, ["many", "outer"], "dependency order");
    assert.equal(loaded.correlations.correlations[0].emit, false);
    assert.equal(loaded.correlations.correlations[1].emit, true);
  });

  it("locates a reference to no loaded rule at the reference", async () => {
    const loaded = await loadTexts({ "c.yml": COUNT("\n    - nosuch") });
    assert.deepEqual(problemLines(loaded), [
      'c.yml:6:7: correlation refers to "nosuch", which is no loaded rule id or name',
    ]);
    assert.equal(loaded.correlations.correlations.length, 0);
  });

  it("refuses a cycle of correlations", async () => {
    const a = `title: A\nid: a\ncorrelation:\n  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: {gte: 2}\n`;
    const b = `title: B\nid: b\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n`;
    const loaded = await loadTexts({ "a.yml": a, "b.yml": b });
    assert.equal(loaded.correlations.correlations.length, 0);
    assert.ok(
      problemLines(loaded).some((l) => l.includes("cycle")),
      problemLines(loaded).join("\n"),
    );
  });

  it("reports every problem of a correlation document, each located", async () => {
    const text = `title: Bad
id: bad
correlation:
  type: event_sum
  rules: []
  timespan: 5 minutes
  condition:
    over: 3
  extra: 1
`;
    const loaded = await loadTexts({ "c.yml": text });
    assert.deepEqual(problemLines(loaded), [
      'c.yml:9:3: unknown key "extra" in correlation',
      "c.yml:4:9: correlation type must be one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile",
      'c.yml:5:10: "rules" must be a rule id or name, or a list of them',
      'c.yml:6:13: "timespan" must be a number and a unit: s, m, h, d, w, M or y (for example 90m)',
      'c.yml:8:5: unknown key "over" in condition (gt, gte, lt, lte, eq, neq, field, percentile)',
    ]);
  });

  it("requires a field for value_count and a condition for event_count", async () => {
    const vc = `title: V\nid: v\ncorrelation:\n  type: value_count\n  rules: [r]\n  timespan: 1h\n  condition:\n    gte: 10\n`;
    const ec = `title: E\nid: e\ncorrelation:\n  type: event_count\n  rules: [r]\n  timespan: 1h\n`;
    const loaded = await loadTexts({ "v.yml": vc, "e.yml": ec, "r.yml": baseRule("r", undefined, "X") });
    assert.deepEqual(problemLines(loaded), [
      'e.yml:3:1: a event_count correlation needs a "condition" (for example gte: 10)',
      'v.yml:7:3: a value_count correlation needs the condition\'s "field"',
    ]);
  });

  it("refuses a group-by field the chained correlation does not group by", async () => {
    const outer = `title: O\nid: o\ncorrelation:\n  type: event_count\n  rules: [many]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: {gte: 2}\n`;
    const loaded = await loadTexts({
      "o.yml": outer,
      "m.yml": `${COUNT("r")}---\n${baseRule("r", undefined, "X")}`,
    });
    assert.deepEqual(problemLines(loaded), [
      'o.yml:1:1: group-by field "userIdentity.arn" is not grouped by the chained correlation "many" (it groups by sourceIPAddress)',
    ]);
  });

  it("takes a range of two operators and value_sum with a field", async () => {
    const text = `title: S\nid: s\ncorrelation:\n  type: value_sum\n  rules: [r]\n  timespan: 1h\n  condition:\n    field: bytes\n    gt: 100\n    lte: 200\n`;
    const loaded = await loadTexts({ "s.yml": text, "r.yml": baseRule("r", undefined, "X") });
    assert.deepEqual(problemLines(loaded), []);
    const c = loaded.correlations.correlations[0];
    assert.deepEqual(c.condition, {
      ops: [
        { op: "gt", value: 100 },
        { op: "lte", value: 200 },
      ],
      field: "bytes",
    });
    assert.deepEqual(loaded.ruleSet.rules[0].correlation?.fields, ["bytes"]);
  });
});
