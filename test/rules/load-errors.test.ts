import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compileRuleText, formatRuleProblem, loadRules } from "../../src/rules/index.ts";
import { problemsOf, ruleText } from "./support.ts";

// ruleText() puts the detection snippet at line 7, indented by two spaces:
//   1 title, 2 id, 3 logsource:, 4 product, 5 service, 6 detection:, 7.. the snippet.
function textProblems(text: string): string[] {
  return compileRuleText(text, "t.yml").problems.map(formatRuleProblem);
}

describe("rule load errors", () => {
  it("reports a YAML syntax error where it is", () => {
    assert.deepEqual(textProblems("title: x\ndetection:\n  sel: 'open\n"), [
      "t.yml:4:1: YAML syntax: Missing closing 'quote",
    ]);
  });

  it("rejects a custom YAML tag", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: !js x\ncondition: selection"), [
      "t.yml:8:16: YAML: Unresolved tag: !js",
    ]);
  });

  it("rejects an unknown top-level key at the key", () => {
    const text = ruleText("selection:\n  eventName: x\ncondition: selection").replace(
      "id: test-rule\n",
      "id: test-rule\nlevl: high\n",
    );
    assert.deepEqual(textProblems(text), ['t.yml:3:1: [test-rule] unknown key "levl"']);
  });

  it("requires a title", () => {
    const text = ruleText("selection:\n  eventName: x\ncondition: selection").replace(
      "title: Test rule\n",
      "",
    );
    assert.deepEqual(textProblems(text), [
      "t.yml:1:1: [test-rule] the document must have required property 'title'",
    ]);
  });

  it("rejects an unknown modifier where it is written in the key", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName|contians: x\ncondition: selection"), [
      't.yml:8:15: [test-rule] unknown modifier "contians"',
    ]);
  });

  it("calls a time modifier unsupported", () => {
    assert.deepEqual(problemsOf("selection:\n  eventTime|hour: 3\ncondition: selection"), [
      't.yml:8:15: [test-rule] modifier "hour" is unsupported',
    ]);
  });

  it("rejects a regex flag without re", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName|i: x\ncondition: selection"), [
      't.yml:8:15: [test-rule] modifier "i" takes a regex, not text: it is a flag of "re" (case-insensitive) and is written after it',
    ]);
  });

  it("points an undefined identifier at its place in the condition", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: x\ncondition: selection and not filter"), [
      't.yml:9:32: [test-rule] condition: undefined search identifier "filter"',
    ]);
  });

  it("counts the quote when locating inside a quoted condition", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: x\ncondition: 'selection or filtr'"), [
      't.yml:9:28: [test-rule] condition: undefined search identifier "filtr"',
    ]);
  });

  it("rejects an 'x of' pattern that selects nothing", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: x\ncondition: 1 of filter_*"), [
      't.yml:9:19: [test-rule] condition: "filter_*" matches no search identifier',
    ]);
  });

  it("rejects an invalid regex at its value", () => {
    assert.deepEqual(problemsOf("selection:\n  userAgent|re: 'a(b'\ncondition: selection"), [
      "t.yml:8:19: [test-rule] invalid regular expression: error parsing regexp: missing closing ): `a(b`",
    ]);
  });

  it("rejects a regex the linear-time engine cannot run, such as a backreference", () => {
    assert.deepEqual(problemsOf("selection:\n  userAgent|re: '(a)\\1'\ncondition: selection"), [
      "t.yml:8:19: [test-rule] invalid regular expression: error parsing regexp: invalid escape sequence: `\\1`",
    ]);
  });

  it("rejects null inside a value list at the null", () => {
    assert.deepEqual(
      problemsOf("selection:\n  errorCode:\n    - Success\n    - null\ncondition: selection"),
      ["t.yml:10:9: [test-rule] null inside a value list: use a separate selection"],
    );
  });

  it("rejects all with a single value", () => {
    assert.deepEqual(problemsOf("selection:\n  userAgent|contains|all: x\ncondition: selection"), [
      't.yml:8:29: [test-rule] "all" needs a list of at least two values',
    ]);
  });

  it("calls the v1 count aggregation unsupported", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: x\ncondition: selection | count() > 5"), [
      "t.yml:9:24: [test-rule] condition: unsupported: the Sigma v1 aggregation syntax (`| count() ...`) was replaced by correlation rules",
    ]);
  });

  it("calls the v1 near aggregation unsupported", () => {
    assert.deepEqual(problemsOf("a:\n  eventName: x\nb:\n  eventName: y\ncondition: a | near b"), [
      "t.yml:11:16: [test-rule] condition: unsupported: the Sigma v1 aggregation syntax (`| near ...`) was replaced by correlation rules",
    ]);
  });

  it("calls a v1 timeframe unsupported", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: x\ntimeframe: 5m\ncondition: selection"), [
      "t.yml:9:3: [test-rule] unsupported: `timeframe` belongs to the Sigma v1 aggregation syntax, replaced by correlation rules",
    ]);
  });

  it("says a correlation rule compiled on its own needs its rule files", () => {
    const text =
      "title: Many logins\nid: c1\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n";
    assert.deepEqual(textProblems(text), [
      "t.yml:3:1: [c1] a correlation rule refers to other rules: load it with its rule files (rules validate, scan), not alone",
    ]);
  });

  it("rejects a multi-document file (a rule collection) clearly", () => {
    const text = `${ruleText("selection:\n  eventName: x\ncondition: selection")}---\ntitle: second\n`;
    assert.deepEqual(textProblems(text), [
      "t.yml:10:1: unsupported: this file holds several YAML documents (a Sigma rule collection); put each rule in its own file",
    ]);
  });

  it("rejects a rule whose logsource is not CloudTrail", () => {
    const text = ruleText("selection:\n  Image: x\ncondition: selection")
      .replace("product: aws", "product: windows")
      .replace("service: cloudtrail", "category: process_creation");
    assert.deepEqual(textProblems(text), [
      't.yml:4:3: [test-rule] logsource is not AWS CloudTrail (product: aws, service: cloudtrail); got {"product":"windows","category":"process_creation"}',
    ]);
  });

  it("rejects a condition nested too deeply instead of exhausting the stack", () => {
    const deep = `${"(".repeat(100)}selection${")".repeat(100)}`;
    assert.deepEqual(problemsOf(`selection:\n  eventName: x\ncondition: '${deep}'`), [
      "t.yml:9:79: [test-rule] condition: condition nests deeper than 64 levels",
    ]);
  });

  it("names the rule by its title when it has no id", () => {
    const text = ruleText("selection:\n  eventName|nope: x\ncondition: selection").replace(
      "id: test-rule\n",
      "",
    );
    assert.deepEqual(textProblems(text), ['t.yml:7:15: [Test rule] unknown modifier "nope"']);
  });
});

describe("loading a folder of rules", () => {
  it("reports a bad file and still loads the others", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-rules-"));
    try {
      await writeFile(
        join(dir, "a_good.yml"),
        ruleText("selection:\n  eventName: StopLogging\ncondition: selection"),
      );
      await writeFile(
        join(dir, "b_bad.yml"),
        ruleText("selection:\n  eventName: x\ncondition: selection and nope").replace(
          "test-rule",
          "bad-rule",
        ),
      );
      await writeFile(
        join(dir, "c_good.yml"),
        ruleText("selection:\n  eventName: DeleteTrail\ncondition: selection").replace(
          "test-rule",
          "other-rule",
        ),
      );
      await writeFile(join(dir, "c_good.tests.yaml"), "tests: []\n");
      const { ruleSet, problems, files } = await loadRules([dir]);
      assert.deepEqual(
        ruleSet.rules.map((r) => r.id),
        ["test-rule", "other-rule"],
      );
      assert.equal(files.length, 3, "test files are not rule files");
      assert.deepEqual(problems.map(formatRuleProblem), [
        `${join(dir, "b_bad.yml")}:9:28: [bad-rule] condition: undefined search identifier "nope"`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("skips a second rule with the same id and says so", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-rules-"));
    try {
      const text = ruleText("selection:\n  eventName: StopLogging\ncondition: selection");
      await writeFile(join(dir, "one.yml"), text);
      await writeFile(join(dir, "two.yml"), text);
      const { ruleSet, problems } = await loadRules([dir]);
      assert.equal(ruleSet.rules.length, 1);
      assert.deepEqual(problems.map(formatRuleProblem), [
        `${join(dir, "two.yml")}:1:1: [test-rule] duplicate rule id: ${join(dir, "one.yml")} already defines it; this rule is skipped`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a path that does not exist", async () => {
    const { problems } = await loadRules(["/nonexistent/rules"]);
    assert.equal(problems.length, 1);
    assert.match(formatRuleProblem(problems[0]), /^\/nonexistent\/rules:1:1: cannot read: ENOENT/);
  });
});
