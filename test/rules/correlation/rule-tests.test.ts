import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runRuleTests } from "../../../src/rules/tests.ts";
import { baseRule, loadTexts } from "./support.ts";

const RULE = `title: Many
id: many
correlation:
  type: event_count
  rules: [fail]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition: {gte: 2}
---
${baseRule("r-fail", "fail", "ConsoleLogin")}`;

const rec = (id: string, time: string, ip = "203.0.113.9") =>
  `{eventID: ${id}, eventTime: "${time}", eventName: ConsoleLogin, sourceIPAddress: ${ip}}`;

async function run(cases: string) {
  const { dir } = await loadTexts({ "c.yml": RULE });
  writeFileSync(join(dir, "c.tests.yaml"), `correlations:\n${cases}`);
  return runRuleTests([dir]);
}

describe("correlation cases in rule test files", () => {
  it("passes when the correlation detections are exactly the expected ones", async () => {
    const report = await run(
      `  - name: two failures fire\n    records: [${rec("a", "2026-11-20T10:00:00Z")}, ${rec("b", "2026-11-20T10:01:00Z")}]\n    expect:\n      - {rule: many, groupBy: {sourceIPAddress: 203.0.113.9}, value: 2, eventIDs: [a, b]}\n`,
    );
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.expect, c.passed]),
      [["two failures fire", "correlation", true]],
    );
    assert.deepEqual(report.untested, []);
  });

  it("fails with what fired when the expectation differs", async () => {
    const report = await run(
      `  - name: far apart\n    records: [${rec("a", "2026-11-20T10:00:00Z")}, ${rec("b", "2026-11-20T10:06:00Z")}]\n    expect:\n      - {rule: many}\n`,
    );
    assert.equal(report.cases[0].passed, false);
    assert.equal(report.cases[0].detail, "expected [many {any group}], got []");
  });

  it("feeds records in the order written, so a record beyond the lateness is dropped", async () => {
    const report = await run(
      `  - name: late\n    latenessMinutes: 1\n    records: [${rec("a", "2026-11-20T10:05:00Z")}, ${rec("b", "2026-11-20T10:03:00Z")}]\n    expect: []\n`,
    );
    assert.equal(report.cases[0].passed, true);
  });
});
