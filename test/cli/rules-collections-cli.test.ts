// `rules validate` and `rules test` over files holding correlations and filters.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { baseRule, loadTexts } from "../rules/correlation/support.ts";
import { runCli } from "../support/cli.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));

function cli(...args: string[]) {
  return runCli(args, repo);
}

const CORRELATION = `title: Many\nid: many\ncorrelation:\n  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2}\n`;
const FILTER = `title: Not CI\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n  rules: any\n  sel:\n    userIdentity.arn|endswith: ":user/ci"\n  condition: not sel\n`;

describe("trailwarden rules over correlations and filters", () => {
  it("validate counts a file holding only a correlation or only a filter as loaded", async () => {
    const { dir } = await loadTexts({
      "r.yml": baseRule("r", undefined, "X"),
      "c.yml": CORRELATION,
      "f.yml": FILTER,
    });
    const r = cli("rules", "validate", dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^3 of 3 rule files loaded; no problems$/m);
  });

  it("test prints a failed correlation case with what fired", async () => {
    const { dir } = await loadTexts({ "c.yml": `${CORRELATION}---\n${baseRule("r", "r", "X")}` });
    writeFileSync(
      join(dir, "c.tests.yaml"),
      `correlations:\n  - name: one event\n    records: [{eventID: a, eventTime: "2026-11-20T10:00:00Z", eventName: X}]\n    expect: [{rule: many}]\n`,
    );
    const r = cli("rules", "test", dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.out,
      /FAIL .*c\.tests\.yaml:2:5: \[many\] one event: expected \[many \{any group\}\], got \[\]/,
    );
  });
});
