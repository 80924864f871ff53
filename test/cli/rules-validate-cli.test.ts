// `trailwarden rules validate` lists every error and lint warning of every file in one run, grouped by
// file, with a summary line of counts; warnings fail the run only with --strict.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ruleText } from "../rules/support.ts";
import { runCli } from "../support/cli.ts";

function validate(...args: string[]) {
  return runCli(["rules", "validate", ...args]);
}

/** A folder of rule files: a.yml with two errors, b.yml loading with two warnings, c.yml clean. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tw-validate-"));
  writeFileSync(
    join(dir, "a.yml"),
    ruleText("selection:\n  eventName|re|contains: x\ncondition: selection and not filter").replace(
      "test-rule",
      "rule-a",
    ),
  );
  writeFileSync(
    join(dir, "b.yml"),
    ruleText("selection:\n  EventName: CreateUser\ncondition: selection")
      .replace("test-rule", "rule-b")
      .replace("id: rule-b\n", "id: rule-b\nstatus: deprecated\n"),
  );
  writeFileSync(
    join(dir, "c.yml"),
    ruleText("selection:\n  eventName: StopLogging\ncondition: selection").replace("test-rule", "rule-c"),
  );
  return dir;
}

describe("trailwarden rules validate over several files", () => {
  it("lists the errors and warnings of every file in one run, and exits 1 on an error", () => {
    const dir = folder();
    const r = validate(dir);
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.out,
      [
        `${join(dir, "a.yml")}:8:18: [rule-a] modifier "contains" takes text, a number, bytes or a field reference, not a regex (what "re" gives)`,
        `${join(dir, "a.yml")}:9:32: [rule-a] condition: undefined search identifier "filter"`,
        `${join(dir, "b.yml")}:1:1: [rule-b] not loaded: status deprecated (rules.includeStatuses)`,
        `${join(dir, "b.yml")}:3:9: warning DEPRECATED_STATUS [rule-b] the rule's status is deprecated: replace it by its successor or remove it`,
        `${join(dir, "b.yml")}:9:5: warning UNKNOWN_FIELD [rule-b] field "EventName" is not in CloudTrail records; did you mean "eventName"?`,
        `${join(dir, "b.yml")}:10:14: warning UNPINNED_RULE [rule-b] the rule pins neither eventSource nor eventName, so it is tried on every record; require one of them (plain values) in a selection the condition always needs`,
        "2 of 3 rule files loaded; 2 problems, 3 warnings; 1 rule left out by the selection",
        "",
      ].join("\n"),
    );
  });

  it("exits 0 when there are only warnings, and 1 with --strict", () => {
    const dir = folder();
    const b = join(dir, "b.yml");
    const plain = validate(b);
    assert.equal(plain.code, 0, plain.out + plain.err);
    assert.match(
      plain.out,
      /^1 of 1 rule files loaded; no problems, 3 warnings; 1 rule left out by the selection$/m,
    );
    const strict = validate("--strict", b);
    assert.equal(strict.code, 1, strict.out + strict.err);
    assert.match(strict.out, /warning UNKNOWN_FIELD/);
  });
});
