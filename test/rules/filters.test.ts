import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseRule, loadTexts, problemLines } from "./correlation/support.ts";

const FILTER = (rules: string, condition = "not selection") => `title: Not the CI user
id: f-ci
logsource:
  product: aws
  service: cloudtrail
filter:
  rules: ${rules}
  selection:
    userIdentity.arn|endswith: ':user/ci'
  condition: ${condition}
`;

const rec = (user: string, eventName = "StopLogging") => ({
  eventName,
  eventSource: "cloudtrail.amazonaws.com",
  userIdentity: { arn: `arn:aws:iam::111111111111:user/${user}` },
});

describe("Sigma filters", () => {
  it("add their condition to the rules they name: (rule condition) and (filter condition)", async () => {
    const loaded = await loadTexts({
      "r.yml": baseRule("r-stop", "stop", "StopLogging"),
      "f.yml": FILTER("[r-stop]"),
    });
    assert.deepEqual(problemLines(loaded), []);
    const [rule] = loaded.ruleSet.rules;
    assert.equal(rule.matches(rec("alice")), true);
    assert.equal(rule.matches(rec("ci")), false);
    // The indexed path (RuleSet.evaluate) applies it too.
    assert.deepEqual(loaded.ruleSet.evaluate(rec("ci")), []);
    assert.deepEqual(
      loaded.ruleSet.evaluate(rec("alice")).map((r) => r.id),
      ["r-stop"],
    );
  });

  it("refer to rules by name as well as id", async () => {
    const loaded = await loadTexts({
      "r.yml": baseRule("r-stop", "stop", "StopLogging"),
      "f.yml": FILTER("stop"),
    });
    assert.deepEqual(problemLines(loaded), []);
    assert.equal(loaded.ruleSet.rules[0].matches(rec("ci")), false);
  });

  it("apply to every rule their logsource covers with rules: any, and leave other rules alone", async () => {
    const loaded = await loadTexts({
      "a.yml": baseRule("r-a", undefined, "StopLogging"),
      "b.yml": baseRule("r-b", undefined, "DeleteTrail"),
      "f.yml": FILTER("any"),
    });
    assert.deepEqual(problemLines(loaded), []);
    assert.deepEqual(
      loaded.ruleSet.rules.map((r) => r.matches(rec("ci", r.id === "r-a" ? "StopLogging" : "DeleteTrail"))),
      [false, false],
    );
    const narrow = await loadTexts({
      "a.yml": baseRule("r-a", undefined, "StopLogging"),
      "b.yml": baseRule("r-b", undefined, "DeleteTrail"),
      "f.yml": FILTER("[r-a]"),
    });
    assert.equal(narrow.ruleSet.rules[1].matches(rec("ci", "DeleteTrail")), true);
  });

  it("report a reference to no loaded rule where it is written", async () => {
    const loaded = await loadTexts({
      "r.yml": baseRule("r-stop", "stop", "StopLogging"),
      "f.yml": FILTER("[nosuch]"),
    });
    assert.deepEqual(problemLines(loaded), [
      'f.yml:7:11: filter refers to "nosuch", which is no loaded rule id or name',
    ]);
  });

  it("report a condition problem inside the filter, located", async () => {
    const loaded = await loadTexts({
      "r.yml": baseRule("r-stop", "stop", "StopLogging"),
      "f.yml": FILTER("[r-stop]", "not other"),
    });
    assert.deepEqual(problemLines(loaded), ['f.yml:10:18: condition: undefined search identifier "other"']);
  });

  it("change what the correlations over a filtered rule count", async () => {
    const corr = `title: Many\nid: many\ncorrelation:\n  type: event_count\n  rules: [stop]\n  timespan: 5m\n  condition: {gte: 1}\n`;
    const loaded = await loadTexts({
      "r.yml": `${corr}---\n${baseRule("r-stop", "stop", "StopLogging")}`,
      "f.yml": FILTER("[r-stop]"),
    });
    assert.deepEqual(problemLines(loaded), []);
    assert.deepEqual(loaded.ruleSet.evaluate(rec("ci")), []);
  });
});
