import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RuleSet } from "../../src/rules/index.ts";
import { rule } from "./support.ts";

function named(id: string, detection: string) {
  return { ...rule(detection), id, title: id };
}

describe("RuleSet", () => {
  const stop = named(
    "stop",
    "selection:\n  eventSource: cloudtrail.amazonaws.com\n  eventName: StopLogging\ncondition: selection",
  );
  const anyCt = named("any-ct", "selection:\n  eventSource: cloudtrail.amazonaws.com\ncondition: selection");
  const root = named("root", "selection:\n  userIdentity.type: Root\ncondition: selection");
  const set = new RuleSet([stop, anyCt, root]);

  it("indexes a rule that pins eventName by that name", () => {
    assert.deepEqual(stop.pins.eventName && [...stop.pins.eventName], ["stoplogging"]);
  });

  it("indexes a rule that pins only eventSource by its source", () => {
    assert.equal(anyCt.pins.eventName, undefined);
    assert.deepEqual(anyCt.pins.eventSource && [...anyCt.pins.eventSource], ["cloudtrail.amazonaws.com"]);
  });

  it("does not pin a rule whose event name is negated", () => {
    const r = rule(
      "selection:\n  eventSource: s3.amazonaws.com\nfilter:\n  eventName: GetObject\ncondition: selection and not filter",
    );
    assert.equal(r.pins.eventName, undefined);
  });

  it("does not pin a wildcard event name", () => {
    assert.equal(rule("selection:\n  eventName: 'Delete*'\ncondition: selection").pins.eventName, undefined);
  });

  it("pins the union of event names across OR branches", () => {
    const r = rule("a:\n  eventName: A\nb:\n  eventName: [B, C]\ncondition: a or b");
    assert.deepEqual([...(r.pins.eventName ?? [])].sort(), ["a", "b", "c"]);
  });

  it("returns every matching rule in rule order", () => {
    const rec = {
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      userIdentity: { type: "Root" },
    };
    assert.deepEqual(
      set.evaluate(rec).map((r) => r.id),
      ["stop", "any-ct", "root"],
    );
  });

  it("finds an indexed rule whatever the case of the record's event name", () => {
    const rec = { eventSource: "CloudTrail.amazonaws.com", eventName: "STOPLOGGING" };
    assert.deepEqual(
      set.evaluate(rec).map((r) => r.id),
      ["stop", "any-ct"],
    );
  });

  it("tries rules that pin nothing on every record", () => {
    assert.deepEqual(
      set.evaluate({ eventName: "GetObject", userIdentity: { type: "Root" } }).map((r) => r.id),
      ["root"],
    );
  });

  it("returns an empty list when nothing matches", () => {
    assert.deepEqual(set.evaluate({ eventName: "GetObject" }), []);
  });

  it("still evaluates indexed rules when eventName is not a string", () => {
    const rec = { eventSource: "cloudtrail.amazonaws.com", eventName: ["StopLogging"] };
    assert.deepEqual(
      set.evaluate(rec).map((r) => r.id),
      ["stop", "any-ct"],
    );
  });

  it("pins the intersection of event names across AND and matches only inside it", () => {
    const r = named("both", "a:\n  eventName: [A, B]\nb:\n  eventName: [B, C]\ncondition: a and b");
    assert.deepEqual([...(r.pins.eventName ?? [])], ["b"]);
    const only = new RuleSet([r]);
    assert.deepEqual(only.evaluate({ eventName: "A" }), []);
    assert.deepEqual(
      only.evaluate({ eventName: "b" }).map((x) => x.id),
      ["both"],
    );
  });

  it("keeps the checks of a selection that the condition negates", () => {
    const r = named(
      "neg",
      "sel:\n  eventName: A\nfilter:\n  eventName: A\n  userAgent: bad\ncondition: sel and not filter",
    );
    const only = new RuleSet([r]);
    assert.deepEqual(only.evaluate({ eventName: "A", userAgent: "bad" }), []);
    assert.equal(only.evaluate({ eventName: "A", userAgent: "good" }).length, 1);
  });

  it("gives the specialised test the same answers as the full test on indexed records", () => {
    const r = named(
      "spec",
      "sel:\n  eventSource: s3.amazonaws.com\n  eventName: [PutBucketPolicy, DeleteBucketPolicy]\n  userAgent|contains: cli\ncondition: sel",
    );
    const fast = r.specialize(["eventName", "eventSource"]);
    for (const userAgent of ["aws-cli/2", "console"]) {
      const rec = { eventSource: "s3.amazonaws.com", eventName: "PutBucketPolicy", userAgent };
      assert.equal(fast(rec), r.test(rec), userAgent);
    }
  });
});
