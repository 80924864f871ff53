// One rule failing on one record never costs another rule its verdict, and no record is too deep
// to be judged.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { scanLocal } from "../../src/logs/local.ts";
import { type CompiledRule, RuleSet } from "../../src/rules/index.ts";
import { stringifyIteratively } from "../../src/rules/record-cache.ts";
import { rule } from "./support.ts";

const DEPTH = 10_000;

/** A record read from a log whose requestParameters nest `DEPTH` objects, then `inner`. */
function deepObjectRecord(inner: string): Record<string, unknown> {
  return JSON.parse(
    `{"eventID":"e1","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":${'{"a":'.repeat(DEPTH)}${inner}${"}".repeat(DEPTH)}}`,
  );
}

/** A record whose requestParameters.name is `DEPTH` arrays around "x". */
function deepArrayRecord(): Record<string, unknown> {
  return JSON.parse(
    `{"eventID":"e2","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":{"name":${"[".repeat(DEPTH)}"x"${"]".repeat(DEPTH)}}}`,
  );
}

function named(id: string, detection: string): CompiledRule {
  return Object.assign(rule(detection), { id });
}

const topLevel = () => named("top-level", "sel:\n  eventName: StopLogging\ncondition: sel");
const pinnedTopLevel = () =>
  named(
    "pinned-top-level",
    "sel:\n  eventSource: cloudtrail.amazonaws.com\n  eventName: StopLogging\ncondition: sel",
  );

test("a record nested 10,000 deep is judged by every rule: a top-level rule still fires", () => {
  const rules = [
    topLevel(),
    pinnedTopLevel(),
    named("deep-field", "sel:\n  requestParameters.name: x\ncondition: sel"),
    named("keyword", "keywords:\n  - deepvalue\ncondition: keywords"),
    named("contains", "sel:\n  requestParameters|contains: deepvalue\ncondition: sel"),
    named("exists", "sel:\n  requestParameters.name|exists: true\ncondition: sel"),
  ];
  const set = new RuleSet(rules);
  const errors: string[] = [];
  const onError = (r: { id: string }, e: unknown) => errors.push(`${r.id}: ${(e as Error).message}`);
  assert.deepEqual(
    set.evaluate(deepArrayRecord(), onError).map((r) => r.id),
    ["top-level", "pinned-top-level", "deep-field", "exists"],
  );
  assert.deepEqual(
    set.evaluate(deepObjectRecord('"deepvalue"'), onError).map((r) => r.id),
    ["top-level", "pinned-top-level", "keyword", "contains"],
  );
  assert.deepEqual(errors, []);
});

test("a rule that throws on a record is reported by id and the other rules keep their verdicts", () => {
  const broken: CompiledRule = {
    ...topLevel(),
    id: "broken",
    test: () => {
      throw new RangeError("Maximum call stack size exceeded");
    },
    specialize() {
      return this.test;
    },
  };
  const set = new RuleSet([broken, topLevel(), pinnedTopLevel()]);
  const errors: string[] = [];
  const matched = set.evaluate(deepObjectRecord('"v"'), (r, e) =>
    errors.push(`${r.id}: ${(e as Error).message}`),
  );
  assert.deepEqual(
    matched.map((r) => r.id),
    ["top-level", "pinned-top-level"],
  );
  assert.deepEqual(errors, ["broken: Maximum call stack size exceeded"]);
});

test("the stack-free JSON form equals JSON.stringify's compact form", () => {
  const value = { a: [1, "two", { b: null, c: true, 'd"e': [] }], f: {}, g: -1.5e-7, h: "\u2028\n" };
  assert.equal(stringifyIteratively(value), JSON.stringify(value));
});

test("a scan over a log file holding a 10,000-deep record reports the top-level rule's detection", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-deep-scan-"));
  const deep = `{"eventID":"deep-1","eventTime":"2026-11-20T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":{"name":${"[".repeat(DEPTH)}"x"${"]".repeat(DEPTH)}}}`;
  writeFileSync(join(dir, "deep.json"), `{"Records":[${deep}]}`);
  const rules = new RuleSet([
    topLevel(),
    named("deep-field", "sel:\n  requestParameters.name: x\ncondition: sel"),
  ]);
  const { summary, detections } = await scanLocal({ paths: [dir], detector: rules });
  assert.deepEqual(
    detections.map((d) => `${d.ruleId}/${d.eventID}`),
    ["deep-field/deep-1", "top-level/deep-1"],
  );
  assert.deepEqual(summary.evaluationErrors, {});
  assert.equal(summary.files.read, 1);
});
