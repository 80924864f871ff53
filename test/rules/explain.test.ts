import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toDetection } from "../../src/logs/detection.ts";
import { MAX_EXPLAINED_FIELDS, MAX_EXPLAINED_VALUE } from "../../src/rules/explain.ts";
import { compileRuleText } from "../../src/rules/index.ts";

function rule(detection: string) {
  const { rule, problems } = compileRuleText(
    `title: t\nid: r1\nlevel: high\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n${detection}`,
    "r.yml",
  );
  if (!rule) throw new Error(problems.map((p) => p.message).join("; "));
  return rule;
}

describe("a detection's explanation", () => {
  it("names the selections that matched and the record's values of their fields", () => {
    const r = rule(
      `  selection:\n    eventName: StopLogging\n    requestParameters.name|contains: prod\n  other:\n    eventName: DeleteTrail\n  condition: selection or other\n`,
    );
    const record = { eventName: "StopLogging", requestParameters: { name: "prod-trail" }, eventID: "e" };
    assert.ok(r.matches(record));
    assert.deepEqual(r.explain(record), {
      selections: ["selection"],
      fields: { eventName: "StopLogging", "requestParameters.name": "prod-trail" },
    });
  });

  it("leaves out a selection that matched but is negated in the condition", () => {
    const r = rule(
      `  selection:\n    eventName: StopLogging\n  quiet:\n    userAgent: console.amazonaws.com\n  condition: selection or not quiet\n`,
    );
    const record = { eventName: "StopLogging", userAgent: "console.amazonaws.com" };
    assert.ok(r.matches(record));
    assert.deepEqual(r.explain(record).selections, ["selection"]);
  });

  it("counts the selections an `of` pattern names", () => {
    const r = rule(`  sel_a:\n    eventName: A\n  sel_b:\n    eventSource: s\n  condition: 1 of sel_*\n`);
    assert.deepEqual(r.explain({ eventName: "A", eventSource: "s" }).selections, ["sel_a", "sel_b"]);
  });

  it("caps each value and the number of fields", () => {
    const fields = Array.from({ length: 20 }, (_, i) => `    f${i}|exists: true`).join("\n");
    const r = rule(`  selection:\n${fields}\n  condition: selection\n`);
    const record = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, "x".repeat(1000)]));
    const e = r.explain(record);
    assert.equal(Object.keys(e.fields).length, MAX_EXPLAINED_FIELDS);
    assert.equal(e.fields.f0.length, MAX_EXPLAINED_VALUE);
  });

  it("shows a non-string value as JSON", () => {
    const r = rule(`  selection:\n    requestParameters.ports: 22\n  condition: selection\n`);
    const record = { requestParameters: { ports: [22, 443] } };
    assert.ok(r.matches(record));
    assert.deepEqual(r.explain(record).fields, { "requestParameters.ports": "[22,443]" });
  });

  it("comes with the rule's description, false positives, references and a group key shared by the record's detections", () => {
    const { rule: r } = compileRuleText(
      `title: t\nid: r2\ndescription: why\nfalsepositives: admins\nreferences: [https://example.org/x]\nlevel: low\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  s:\n    eventName: X\n  condition: s\n`,
      "r.yml",
    );
    const record = { eventName: "X", eventID: "ev-1" };
    const d = toDetection(r!, record, "f");
    const other = toDetection(rule(`  s:\n    eventName: X\n  condition: s\n`), record, "f");
    assert.equal(d.description, "why");
    assert.deepEqual(d.falsepositives, ["admins"]);
    assert.deepEqual(d.references, ["https://example.org/x"]);
    assert.deepEqual(d.match, { selections: ["s"], fields: { eventName: "X" } });
    assert.equal(d.groupKey, other.groupKey);
    assert.notEqual(d.id, other.id);
    assert.equal(d.event, undefined);
    assert.deepEqual(toDetection(r!, record, "f", { includeEvent: true }).event, record);
  });
});
