import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runRuleTests } from "../../src/rules/tests.ts";
import { runCli } from "../support/cli.ts";
import { ruleText } from "./support.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const good = fileURLToPath(new URL("../fixtures/rules/good/", import.meta.url));

function cli(...args: string[]) {
  return runCli(args, repo);
}

async function withDir(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "tw-ruletests-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const STOP = ruleText("selection:\n  eventName: StopLogging\ncondition: selection");

describe("rule tests", () => {
  it("passes cases that expect what the rule does", async () => {
    const report = await runRuleTests([good]);
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.passed]),
      [
        ["StopLogging on a trail is detected", true],
        ["StartLogging is not detected", true],
      ],
    );
  });

  it("fails a case whose expectation is wrong, naming its line and column", async () => {
    const tests =
      "tests:\n  - name: StartLogging is detected\n    expect: match\n    record:\n      eventName: StartLogging\n";
    await withDir({ "stop.yml": STOP, "stop.tests.yaml": tests }, async (dir) => {
      const report = await runRuleTests([dir]);
      assert.equal(report.cases.length, 1);
      assert.equal(report.cases[0].passed, false);
      assert.equal(
        `${report.cases[0].file}:${report.cases[0].line}:${report.cases[0].column}`,
        `${join(dir, "stop.tests.yaml")}:2:5`,
      );
    });
  });

  it("reports an unknown key in a test case where it is", async () => {
    const tests = "tests:\n  - name: x\n    expect: match\n    recrod: {}\n";
    await withDir({ "stop.yml": STOP, "stop.tests.yaml": tests }, async (dir) => {
      const report = await runRuleTests([dir]);
      assert.deepEqual(
        report.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
        ["2:5 \"tests.0\" must have required property 'record'", '4:5 unknown key "recrod" in tests.0'],
      );
    });
  });

  it("reports a test file without a rule beside it", async () => {
    await withDir({ "orphan.tests.yaml": "tests: []\n" }, async (dir) => {
      const report = await runRuleTests([dir]);
      assert.deepEqual(
        report.problems.map((p) => p.message),
        ["no rule file beside this test file (expected orphan.yml)"],
      );
    });
  });

  it("lists a rule without a test file as untested", async () => {
    await withDir({ "stop.yml": STOP }, async (dir) => {
      const report = await runRuleTests([dir]);
      assert.deepEqual(
        report.untested.map((r) => r.id),
        ["test-rule"],
      );
    });
  });
});

describe("trailwarden rules", () => {
  it("validate exits 0 when every rule loads", () => {
    const r = cli("rules", "validate", good);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /1 of 1 rule files loaded; no problems/);
  });

  it("validate lists every problem and exits 1", async () => {
    const bad = STOP.replace("eventName: StopLogging", "eventName|bogus: StopLogging");
    await withDir(
      { "a.yml": bad, "b.yml": bad.replace("condition: selection", "condition: nothing") },
      async (dir) => {
        const r = cli("rules", "validate", dir);
        assert.equal(r.code, 1);
        assert.equal(
          r.out,
          `${join(dir, "a.yml")}:8:15: [test-rule] unknown modifier "bogus"\n` +
            `${join(dir, "b.yml")}:8:15: [test-rule] unknown modifier "bogus"\n` +
            `${join(dir, "b.yml")}:9:14: [test-rule] condition: undefined search identifier "nothing"\n` +
            "0 of 2 rule files loaded; 3 problems\n",
        );
      },
    );
  });

  it("test prints PASS per case and exits 0", () => {
    const r = cli("rules", "test", good);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.out,
      /^PASS .*stop_logging\.tests\.yaml:2:5: \[6f1b0c59-3a47-4f0e-9d1c-2c3b9e1f7a10\] StopLogging on a trail is detected$/m,
    );
    assert.match(r.out, /2 passed, 0 failed, 0 problems, 0 rules without tests/);
  });

  it("test prints FAIL with the case's location and exits 1", async () => {
    const tests =
      "tests:\n  - name: StartLogging is detected\n    expect: match\n    record:\n      eventName: StartLogging\n";
    await withDir({ "stop.yml": STOP, "stop.tests.yaml": tests }, async (dir) => {
      const r = cli("rules", "test", dir);
      assert.equal(r.code, 1);
      assert.match(
        r.out,
        new RegExp(
          `^FAIL ${join(dir, "stop.tests.yaml")}:2:5: \\[test-rule\\] StartLogging is detected: expected match, but the rule did not match$`,
          "m",
        ),
      );
    });
  });

  it("takes placeholder values from --placeholders", async () => {
    const rule = ruleText("selection:\n  sourceIPAddress|expand: '%office%'\ncondition: selection");
    await withDir({ "r.yml": rule, "p.yaml": "office: ['10.*']\n" }, async (dir) => {
      assert.equal(cli("rules", "validate", join(dir, "r.yml")).code, 1);
      const r = cli("rules", "validate", join(dir, "r.yml"), "--placeholders", join(dir, "p.yaml"));
      assert.equal(r.code, 0, r.out + r.err);
    });
  });

  it("exits 2 on an unknown subcommand", () => {
    assert.equal(cli("rules", "lint").code, 2);
  });
});
