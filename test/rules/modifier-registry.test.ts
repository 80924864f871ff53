// The modifier registry: which chains are valid follows from the kinds each modifier declares.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DetectionItem } from "../../src/rules/model.ts";
import { checkChain, MODIFIERS } from "../../src/rules/modifier-registry.ts";
import { problemsOf } from "./support.ts";

/** An item `field|mods: values` with positions that say which modifier a problem concerns. */
function item(mods: string[], values: (string | number | boolean)[], keyword = false): DetectionItem {
  return {
    field: keyword ? "" : "f",
    path: keyword ? [] : ["f"],
    keyword,
    modifiers: mods.map((name, i) => ({ name, pos: { line: 1, column: i + 1 } })),
    values: values.map((value, i) => ({ value, pos: { line: 2, column: i + 1 }, path: [] })),
    list: values.length > 1,
    linking: mods.includes("all") ? "and" : "or",
    pos: { line: 1, column: 1 },
    keyPath: [],
    valuePath: [],
  };
}

const refused = (mods: string[], values: (string | number | boolean)[], keyword = false) =>
  checkChain(item(mods, values, keyword)).map((p) => `${p.pos.column} ${p.message}`);

describe("modifier registry", () => {
  it("declares for every modifier the kinds it accepts and produces", () => {
    for (const spec of MODIFIERS.values()) assert.ok(Object.keys(spec.signature).length > 0, spec.name);
    assert.deepEqual(MODIFIERS.get("re")?.signature, { text: "regex" });
    assert.deepEqual(MODIFIERS.get("utf16le")?.signature, { text: "bytes", number: "bytes" });
    assert.deepEqual(MODIFIERS.get("cidr")?.signature, { text: "ip-range" });
  });

  it("gives every transforming modifier its transformation, and no other modifier one", () => {
    for (const spec of MODIFIERS.values()) {
      assert.equal(spec.transform !== undefined, spec.role === "transform", spec.name);
    }
  });

  it("accepts chains where each modifier takes what the previous gives", () => {
    for (const mods of [
      ["contains"],
      ["utf16le", "base64offset", "contains"],
      ["windash", "contains"],
      ["contains", "windash"],
      ["re", "i", "m", "s"],
      ["re", "all"],
      ["cidr", "neq"],
      ["fieldref", "contains", "cased"],
      ["contains", "all", "cased"],
    ]) {
      assert.deepEqual(refused(mods, ["x", "y"]), [], mods.join("|"));
    }
    assert.deepEqual(refused(["gte"], [3]), []);
    assert.deepEqual(refused(["exists"], [true]), []);
  });

  it("refuses a comparison after another comparison, at the second one", () => {
    assert.deepEqual(refused(["re", "contains"], ["x"]), [
      '2 modifier "contains" takes text, a number, bytes or a field reference, not a regex (what "re" gives)',
    ]);
    assert.deepEqual(refused(["contains", "startswith"], ["x"]), [
      '2 modifier "startswith" takes text, a number, bytes or a field reference, not a pattern (what "contains" gives)',
    ]);
  });

  it("refuses an encoding of a pattern: base64 after contains", () => {
    assert.deepEqual(refused(["contains", "base64"], ["x"]), [
      '2 modifier "base64" takes text, a number or bytes, not a pattern (what "contains" gives)',
    ]);
  });

  it("refuses a regex flag before re", () => {
    assert.deepEqual(refused(["i", "re"], ["x"]), [
      '1 modifier "i" takes a regex, not text: it is a flag of "re" (case-insensitive) and is written after it',
    ]);
  });

  it("refuses by the value's kind: exists takes a boolean, cased no boolean", () => {
    assert.deepEqual(refused(["exists"], ["yes"]), [
      '1 modifier "exists" takes a boolean, not text: it takes true or false',
    ]);
    assert.deepEqual(refused(["lt", "neq"], [3]), [
      '2 modifier "neq" takes text, a number, a boolean, a pattern, bytes, a regex, an IP range or a field reference, not a numeric bound (what "lt" gives)',
    ]);
  });

  it("refuses field-only modifiers on a keyword and repeats of one that does not compose", () => {
    assert.deepEqual(refused(["cidr"], ["10.0.0.0/8"], true), ['1 "cidr" needs a field']);
    assert.deepEqual(refused(["contains", "contains"], ["x"]), ['2 modifier "contains" is given twice']);
  });

  it("names unknown and unsupported modifiers", () => {
    assert.deepEqual(refused(["contians", "hour"], ["x"]), [
      '1 unknown modifier "contians"',
      '2 modifier "hour" is unsupported',
    ]);
  });

  it("reports a refused chain in a rule at the modifier", () => {
    assert.deepEqual(problemsOf("selection:\n  eventName|contains|base64: x\ncondition: selection"), [
      't.yml:8:24: [test-rule] modifier "base64" takes text, a number or bytes, not a pattern (what "contains" gives)',
    ]);
  });
});
