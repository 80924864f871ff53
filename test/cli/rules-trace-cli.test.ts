// `trailwarden rules test`: a failing case explains itself (selections, failed items, values seen),
// and a rule file given alone finds its tests whatever the extensions.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../support/cli.ts";

function cli(...args: string[]) {
  return runCli(["rules", ...args]);
}

const RULE = `title: S3 deletes
id: s3-delete
logsource: { product: aws, service: cloudtrail }
detection:
  sel:
    eventSource: s3.amazonaws.com
    eventName|startswith: Delete
  filter:
    userIdentity.type: Root
  condition: sel and not filter
`;

describe("a failing rule test explains itself", () => {
  it("names the failed item and the value seen when the rule did not match", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-trace-rules-"));
    writeFileSync(join(dir, "del.yml"), RULE);
    writeFileSync(
      join(dir, "del.tests.yaml"),
      "tests:\n  - name: put\n    expect: match\n    record: { eventSource: s3.amazonaws.com, eventName: PutObject }\n",
    );
    const r = cli("test", join(dir, "del.yml"));
    assert.equal(r.code, 1);
    assert.ok(
      r.out.includes(
        [
          `FAIL ${join(dir, "del.tests.yaml")}:2:5: [s3-delete] put: expected match, but the rule did not match`,
          '  selection "sel": eventName|startswith "Delete" failed: value "PutObject"',
          '  selection "filter": userIdentity.type "Root" failed: field absent',
          "  condition: sel and not filter → false",
          "",
        ].join("\n"),
      ),
      r.out,
    );
  });

  it("shows the selections that matched when the rule matched unexpectedly", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-trace-rules-"));
    writeFileSync(join(dir, "del.yml"), RULE);
    writeFileSync(
      join(dir, "del.tests.yaml"),
      "tests:\n  - name: user delete\n    expect: nomatch\n    record: { eventSource: s3.amazonaws.com, eventName: DeleteBucket, userIdentity: { type: IAMUser } }\n",
    );
    const r = cli("test", join(dir, "del.tests.yaml"));
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /: expected nomatch, but the rule matched\n {2}selection "sel": matched \(eventSource "s3\.amazonaws\.com", eventName "DeleteBucket"\)\n {2}selection "filter": userIdentity\.type "Root" failed: value "IAMUser"\n {2}condition: sel and not filter → true\n/,
    );
  });

  it("prints no trace for a passing case", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-trace-rules-"));
    writeFileSync(join(dir, "del.yml"), RULE);
    writeFileSync(
      join(dir, "del.tests.yaml"),
      "tests:\n  - name: delete\n    expect: match\n    record: { eventSource: s3.amazonaws.com, eventName: DeleteObject }\n",
    );
    const r = cli("test", join(dir, "del.yml"));
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /selection "/);
  });
});

describe("rules test with a rule file alone", () => {
  it("finds a .yaml rule's .tests.yml file, never looking for X.yaml.yaml", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-trace-rules-"));
    writeFileSync(join(dir, "del.yaml"), RULE);
    writeFileSync(
      join(dir, "del.tests.yml"),
      "tests:\n  - name: delete\n    expect: match\n    record: { eventSource: s3.amazonaws.com, eventName: DeleteObject }\n",
    );
    const r = cli("test", join(dir, "del.yaml"));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^PASS .*del\.tests\.yml:2:5: \[s3-delete\] delete$/m);
    assert.match(r.out, /1 passed, 0 failed, 0 problems, 0 rules without tests/);
    assert.doesNotMatch(r.out, /\.yaml\.yaml|\.yml\.yml/);
  });

  it("reports a rule given alone without a test file as untested, not as a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-trace-rules-"));
    writeFileSync(join(dir, "del.yml"), RULE);
    const r = cli("test", join(dir, "del.yml"));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^NOTE .*del\.yml: \[s3-delete\] has no test file$/m);
    assert.doesNotMatch(r.out, /ERROR|\.yml\.yml/);
  });
});
