// `trailwarden rules test|validate` as a rule author runs them: on one file, on a folder, or on
// nothing at all (the bundled rules), from any working directory.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ruleText } from "../rules/support.ts";
import { runCli } from "../support/cli.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const RULE = join(repo, "rules/aws_cloudtrail_trail_deleted.yml");
const TESTS = join(repo, "rules/aws_cloudtrail_trail_deleted.tests.yaml");

/** The CLI run from an empty folder, so nothing can be found relative to the working directory. */
function cli(...args: string[]) {
  return runCli(["rules", ...args]);
}

const casesOf = (out: string) => out.split("\n").filter((l) => /^(PASS|FAIL) /.test(l));

describe("trailwarden rules test PATH", () => {
  it("runs the tests of one rule when given the rule file", () => {
    const r = cli("test", RULE);
    assert.equal(r.code, 0, r.out + r.err);
    const cases = casesOf(r.out);
    assert.ok(cases.length > 0);
    for (const c of cases) assert.ok(c.startsWith(`PASS ${TESTS}:`), c);
    assert.doesNotMatch(r.out, /\.yml\.yml|no rule file beside/);
  });

  it("runs the same tests when given the test file", () => {
    const byRule = cli("test", RULE);
    const byTests = cli("test", TESTS);
    assert.equal(byTests.code, 0, byTests.out + byTests.err);
    assert.deepEqual(casesOf(byTests.out), casesOf(byRule.out));
  });

  it("runs every rule's tests in a folder", () => {
    const one = casesOf(cli("test", RULE).out).length;
    const all = cli("test", join(repo, "rules"));
    assert.equal(all.code, 0, all.out);
    assert.ok(casesOf(all.out).length > one);
  });

  it("reports a failing case of the one rule given, and not the other rules of its folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-one-"));
    writeFileSync(
      join(dir, "stop.yml"),
      ruleText("selection:\n  eventName: StopLogging\ncondition: selection"),
    );
    writeFileSync(
      join(dir, "stop.tests.yaml"),
      "tests:\n  - name: wrong on purpose\n    expect: nomatch\n    record: { eventName: StopLogging }\n",
    );
    writeFileSync(join(dir, "broken.yml"), "title: broken\n");
    const r = cli("test", join(dir, "stop.yml"));
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL .*stop\.tests\.yaml:2:5: .*wrong on purpose/);
    assert.doesNotMatch(r.out, /broken\.yml/);
  });
});

describe("trailwarden rules without a PATH", () => {
  it("validate checks the bundled rules, whatever the working directory", () => {
    const r = cli("validate");
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^(\d+) of \1 rule files loaded; no problems(, \d+ warnings?)?$/m);
  });

  it("test runs the bundled rules' tests, whatever the working directory", () => {
    const r = cli("test");
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /\d+ passed, 0 failed, 0 problems, 0 rules without tests/);
  });

  it("validate --config checks the config's rules, relative to the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rules-config-"));
    writeFileSync(join(dir, "mine.yml"), "title: incomplete\n");
    writeFileSync(join(dir, "config.yaml"), "rules: [mine.yml]\n");
    const r = cli("validate", "--config", join(dir, "config.yaml"));
    assert.equal(r.code, 1);
    assert.match(r.out, /mine\.yml:1:1: /);
    assert.match(r.out, /0 of 1 rule files loaded/);
  });
});
