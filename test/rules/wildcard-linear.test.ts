// Wildcards are matched without backtracking blow-up: in values (`*`/`?`) and in the condition's
// `x of pattern*`. Shown by completing on pathological inputs (no timing assertion): a backtracking
// matcher would not finish these within the test's lifetime.
import assert from "node:assert/strict";
import { test } from "node:test";
import { selectIdentifiers } from "../../src/rules/condition.ts";
import { compileRuleText } from "../../src/rules/index.ts";
import { rule } from "./support.ts";

test("a value pattern like *a*a*a*a*a*b on 200,000 a's answers, and correctly", () => {
  const long = "a".repeat(200_000);
  const r = rule("sel:\n  eventName: '*a*a*a*a*a*b'\ncondition: sel");
  assert.equal(r.matches({ eventName: long }), false);
  assert.equal(r.matches({ eventName: `${long}b` }), true);
  const q = rule("sel:\n  eventName|cased: '*a?a?a?a?a?b'\ncondition: sel");
  assert.equal(q.matches({ eventName: long }), false);
  assert.equal(q.matches({ eventName: `${long}xab` }), false);
  assert.equal(q.matches({ eventName: `${long}xaxaxaxaxb` }), true);
});

test("`1 of` a pathological pattern over a long search identifier answers, and correctly", () => {
  const name = `sel${"a".repeat(20_000)}`;
  assert.deepEqual(selectIdentifiers("sel*a*a*a*a*a*a*a*b", [name, "other"]), []);
  assert.deepEqual(selectIdentifiers("sel*a*a*a*a*a*a*a*", [name, "other"]), [name]);
  assert.deepEqual(selectIdentifiers("*", ["x", "_y"]), ["x", "_y"]);
  assert.deepEqual(selectIdentifiers("sel_*", ["sel_a", "sel", "xsel_a"]), ["sel_a"]);
});

test("a rule whose condition selects a long identifier with a pathological pattern compiles", () => {
  const id = `sel${"a".repeat(1000)}`; // YAML keys stay under 1024 characters
  const text = `title: t\nid: t1\nlogsource: { product: aws }\ndetection:\n  ${id}:\n    eventName: X\n  other:\n    eventName: Y\n  condition: 1 of sel*a*a*a*a*a*a*a*a* and not 1 of sel*a*a*a*a*a*a*a*b\n`;
  const r = compileRuleText(text, "t.yml");
  assert.deepEqual(
    r.problems.map((p) => p.message),
    [`condition: "sel*a*a*a*a*a*a*a*b" matches no search identifier`],
  );
});
