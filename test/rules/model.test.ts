// The rule model and its passes, on literal YAML: parse gives located items; validate reports every
// problem of a rule, each where it is.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseYaml } from "../../src/config/yaml.ts";
import { parseRule } from "../../src/rules/parse.ts";
import { analysePins } from "../../src/rules/pins.ts";
import { validateDetection } from "../../src/rules/validate.ts";
import { problemsOf, ruleText } from "./support.ts";

// ruleText() puts the detection snippet at line 7, indented by two spaces.
function modelOf(detection: string) {
  const parsed = parseYaml(ruleText(detection), "t.yml");
  const { model, problems } = parseRule(parsed);
  assert.deepEqual(problems, []);
  assert.ok(model);
  return model;
}

describe("parse pass: YAML → rule model", () => {
  it("gives each item its field path, modifiers, values and linking, each located", () => {
    const model = modelOf(
      "selection:\n  userIdentity.arn|contains|all:\n    - ':role/'\n    - admin\ncondition: selection",
    );
    const [sel] = model.detection.selections;
    assert.equal(sel.name, "selection");
    assert.equal(sel.form, "map");
    const [item] = sel.alternatives[0];
    assert.deepEqual(item.path, ["userIdentity", "arn"]);
    assert.equal(item.linking, "and");
    assert.deepEqual(item.pos, { line: 8, column: 5 });
    assert.deepEqual(item.modifiers, [
      { name: "contains", pos: { line: 8, column: 22 } },
      { name: "all", pos: { line: 8, column: 31 } },
    ]);
    assert.deepEqual(
      item.values.map((v) => [v.value, v.pos]),
      [
        [":role/", { line: 9, column: 9 }],
        ["admin", { line: 10, column: 9 }],
      ],
    );
    assert.deepEqual(model.detection.conditions[0].pos, { line: 11, column: 14 });
  });

  it("models a list of maps as alternatives and keywords as one keyword item", () => {
    const model = modelOf(
      "a:\n  - eventName: X\n  - eventName: Y\n    errorCode: Z\nk:\n  - evil\n  - worse\ncondition: a or k",
    );
    const [a, k] = model.detection.selections;
    assert.equal(a.form, "maps");
    assert.deepEqual(
      a.alternatives.map((alt) => alt.map((i) => i.field)),
      [["eventName"], ["eventName", "errorCode"]],
    );
    assert.equal(k.form, "keywords");
    assert.equal(k.alternatives[0][0].keyword, true);
    assert.deepEqual(
      k.alternatives[0][0].values.map((v) => v.value),
      ["evil", "worse"],
    );
  });

  it("locates a modifier inside a quoted key", () => {
    const model = modelOf("selection:\n  'eventName|startswith': Get\ncondition: selection");
    assert.deepEqual(model.detection.selections[0].alternatives[0][0].modifiers[0].pos, {
      line: 8,
      column: 16,
    });
  });
});

describe("validate pass: every problem of a rule in one pass", () => {
  it("reports several problems of one rule, each located", () => {
    assert.deepEqual(
      problemsOf(
        [
          "selection:",
          "  eventName|contians: x", // line 8: unknown modifier
          "  sourceIPAddress|cidr: 10.0.0.0/33", // line 9: invalid CIDR
          "  userAgent|re: 'a(b'", // line 10: a regex the engine refuses
          "other:",
          "  eventSource|lt: many", // line 12: not a number
          "condition: selection and other and not filter", // line 13: undefined identifier
        ].join("\n"),
      ),
      [
        't.yml:8:15: [test-rule] unknown modifier "contians"',
        't.yml:9:27: [test-rule] invalid CIDR "10.0.0.0/33"',
        't.yml:12:21: [test-rule] "lt" takes a number',
        't.yml:13:42: [test-rule] condition: undefined search identifier "filter"',
        "t.yml:10:19: [test-rule] invalid regular expression: error parsing regexp: missing closing ): `a(b`",
      ],
    );
  });

  it("reports a shape problem and a condition problem of the same rule together", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName: []\ncondition: selection or 1 of nothing_*"), [
      "t.yml:8:16: [test-rule] empty value list",
      't.yml:9:32: [test-rule] condition: "nothing_*" matches no search identifier',
    ]);
  });

  it("does not report an undefined identifier for a selection that failed to parse", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName:\n    - x\n    - [y]\ncondition: selection"), [
      "t.yml:10:9: [test-rule] a value must be a string, number, boolean or null",
    ]);
  });

  it("validates a model without generating anything", () => {
    const model = modelOf("selection:\n  eventName|re|contains: x\ncondition: selection or nope");
    const found: string[] = [];
    const checked = validateDetection(model.detection, (m, pos) =>
      found.push(`${pos.line}:${pos.column} ${m}`),
    );
    assert.equal(checked.valid.size, 0);
    assert.deepEqual(found, [
      '8:18 modifier "contains" takes text, a number, bytes or a field reference, not a regex (what "re" gives)',
      '9:27 condition: undefined search identifier "nope"',
    ]);
  });
});

describe("analyse pass: index pins from the model", () => {
  it("finds what the condition requires of eventName and eventSource, before any closure exists", () => {
    const model = modelOf(
      "a:\n  eventName: [CreateUser, DeleteUser]\n  eventSource: iam.amazonaws.com\nb:\n  eventName: 'Get*'\ncondition: a and not b",
    );
    const checked = validateDetection(model.detection, (m) => assert.fail(m));
    const conditions = checked.conditions.map((c) => c!);
    const pins = analysePins(model.detection, conditions);
    assert.deepEqual(
      [...pins.rule].map(([field, values]) => [field, [...values]]),
      [
        ["eventName", ["createuser", "deleteuser"]],
        ["eventSource", ["iam.amazonaws.com"]],
      ],
    );
    // The wildcard item pins nothing; the two plain ones do (the index may skip them).
    assert.deepEqual(
      [...pins.items.keys()].map((i) => i.field),
      ["eventName", "eventSource"],
    );
  });
});
