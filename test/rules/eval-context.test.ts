// Generated tests take their per-record caches from an evaluation context passed in: nothing derived
// from one record is seen while judging another.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RuleSet } from "../../src/rules/index.ts";
import { EvalContext } from "../../src/rules/record-cache.ts";
import { rule } from "./support.ts";

describe("evaluation context", () => {
  it("a test called without a context sees the record as it is now, not a cached older form", () => {
    const r = rule("selection:\n  requestParameters|contains: evil\ncondition: selection");
    const params: Record<string, unknown> = { policy: "evil" };
    assert.equal(r.test({ requestParameters: params }), true);
    // The same object, changed: a module-global cache keyed by the object would still say "evil".
    params.policy = "fine";
    assert.equal(r.test({ requestParameters: params }), false);
  });

  it("two records judged in turn with their own contexts do not share derived values", () => {
    const r = rule("selection:\n  requestParameters|contains: evil\ncondition: selection");
    const shared: Record<string, unknown> = { policy: "evil" };
    const a = { requestParameters: shared };
    const ctxA = new EvalContext(a);
    assert.equal(r.test(a, ctxA), true);
    shared.policy = "fine";
    const b = { requestParameters: shared };
    assert.equal(r.test(b, new EvalContext(b)), false);
  });

  it("fieldref reads the referenced field from the context's record", () => {
    const r = rule(
      "selection:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: selection",
    );
    const self = { userIdentity: { userName: "bob" }, requestParameters: { userName: "bob" } };
    const other = { userIdentity: { userName: "bob" }, requestParameters: { userName: "alice" } };
    const ctxSelf = new EvalContext(self);
    const ctxOther = new EvalContext(other);
    // Interleaved: each answer depends only on the context it is given.
    assert.equal(r.test(self, ctxSelf), true);
    assert.equal(r.test(other, ctxOther), false);
    assert.equal(r.test(self, ctxSelf), true);
  });

  it("cidr parses each record's address in that record's context", () => {
    const r = rule("selection:\n  sourceIPAddress|cidr: 10.0.0.0/8\ncondition: selection");
    const set = new RuleSet([r]);
    assert.deepEqual(set.evaluate({ sourceIPAddress: "10.1.2.3" }), [r]);
    assert.deepEqual(set.evaluate({ sourceIPAddress: "192.0.2.1" }), []);
    assert.deepEqual(set.evaluate({ sourceIPAddress: "10.1.2.3" }), [r]);
  });

  it("a context caches an object's JSON for its own record only", () => {
    const obj: Record<string, unknown> = { a: 1 };
    const one = new EvalContext({ obj });
    assert.equal(one.compactJsonOf(obj), '{"a":1}');
    obj.a = 2;
    assert.equal(one.compactJsonOf(obj), '{"a":1}', "memoised within one record");
    assert.equal(new EvalContext({ obj }).compactJsonOf(obj), '{"a":2}');
  });
});
