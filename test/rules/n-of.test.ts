import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { problemsOf, rule } from "./support.ts";

const THREE = `sel_a:
  eventName: A
sel_b:
  awsRegion: us-east-1
sel_c:
  sourceIPAddress: 198.51.100.7
condition: 2 of sel_*`;

describe("N of with N > 1", () => {
  it("matches when at least N of the selected identifiers match", () => {
    const r = rule(THREE);
    assert.equal(r.matches({ eventName: "A", awsRegion: "us-east-1" }), true);
    assert.equal(r.matches({ eventName: "A", sourceIPAddress: "198.51.100.7" }), true);
    assert.equal(
      r.matches({ eventName: "A", awsRegion: "us-east-1", sourceIPAddress: "198.51.100.7" }),
      true,
    );
  });

  it("does not match when fewer than N match", () => {
    const r = rule(THREE);
    assert.equal(r.matches({ eventName: "A" }), false);
    assert.equal(r.matches({ eventName: "B", awsRegion: "eu-west-1" }), false);
  });

  it("counts `them` like a pattern and combines with other operators", () => {
    const r = rule(THREE.replace("condition: 2 of sel_*", "condition: 3 of them and not sel_a"));
    assert.deepEqual(
      problemsOf(THREE.replace("condition: 2 of sel_*", "condition: 3 of them and not sel_a")),
      [],
    );
    assert.equal(
      r.matches({ eventName: "A", awsRegion: "us-east-1", sourceIPAddress: "198.51.100.7" }),
      false,
    );
  });

  it("refuses N larger than the identifiers the pattern selects, located at the pattern", () => {
    assert.deepEqual(problemsOf(THREE.replace("condition: 2 of sel_*", "condition: 4 of sel_*")), [
      't.yml:13:19: [test-rule] condition: "4 of" needs at least 4 identifiers; "sel_*" matches 3',
    ]);
  });

  it("refuses 0 of", () => {
    assert.deepEqual(problemsOf(THREE.replace("condition: 2 of sel_*", "condition: 0 of sel_*")), [
      't.yml:13:14: [test-rule] condition: "0 of" selects nothing: use 1 or more',
    ]);
  });
});
