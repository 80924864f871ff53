import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anyAtPath, existsAtPath } from "../../src/rules/fields.ts";
import { matches } from "./support.ts";

describe("field paths", () => {
  it("never reads __proto__ from the prototype chain", () => {
    assert.equal(existsAtPath({}, ["__proto__"]), false);
    assert.equal(matches("__proto__|exists: true", { eventName: "x" }), false);
  });

  it("never reads constructor.prototype from the prototype chain", () => {
    assert.equal(existsAtPath({}, ["constructor", "prototype"]), false);
    assert.equal(matches("constructor.prototype|contains: '*'", { eventName: "x" }), false);
  });

  it("treats an inherited method name as a missing field", () => {
    assert.equal(matches("toString: null", { eventName: "x" }), true);
  });

  it("reads a record's own __proto__ key, as JSON.parse creates it", () => {
    const rec = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    assert.equal(matches("__proto__.polluted: 'yes'", rec), true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("does not index arrays by property names such as length", () => {
    const seen: unknown[] = [];
    anyAtPath({ a: [1, 2] }, ["a", "length"], (v) => {
      seen.push(v);
      return false;
    });
    assert.deepEqual(seen, [undefined, undefined]);
  });
});
