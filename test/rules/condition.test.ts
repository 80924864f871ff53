import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCondition } from "../../src/rules/condition.ts";
import { rule } from "./support.ts";

// Three selections on separate fields, so each record sets a, b, c to true or false independently.
const ABC = "a:\n  f1: 'y'\nb:\n  f2: 'y'\nc:\n  f3: 'y'\n";
function rec(a: boolean, b: boolean, c: boolean): Record<string, string> {
  return { f1: a ? "y" : "n", f2: b ? "y" : "n", f3: c ? "y" : "n" };
}
function cond(condition: string) {
  return rule(`${ABC}condition: ${condition}`);
}

describe("conditions", () => {
  it("binds and tighter than or", () => {
    // a or (b and c): true when only a holds; (a or b) and c would be false.
    assert.equal(cond("a or b and c").matches(rec(true, false, false)), true);
  });

  it("binds not tighter than and", () => {
    // (not a) and b: false when a and b hold; not (a and b) would also be false, so check a=false, b=false.
    assert.equal(cond("not a and b").matches(rec(false, false, false)), false);
    assert.equal(cond("not a and b").matches(rec(false, true, false)), true);
  });

  it("lets parentheses override precedence", () => {
    assert.equal(cond("(a or b) and c").matches(rec(true, false, false)), false);
  });

  it("applies not to a whole 'x of' group", () => {
    const r = rule(
      "selection:\n  f1: 'y'\nfilter_1:\n  f2: 'y'\nfilter_2:\n  f3: 'y'\ncondition: selection and not 1 of filter_*",
    );
    assert.equal(r.matches(rec(true, false, false)), true);
    assert.equal(r.matches(rec(true, false, true)), false);
  });

  it("reads 1 of X* as any identifier starting with X", () => {
    const r = rule("sel_a:\n  f1: 'y'\nsel_b:\n  f2: 'y'\nother:\n  f3: 'y'\ncondition: 1 of sel_*");
    assert.equal(r.matches(rec(false, true, false)), true);
    assert.equal(r.matches(rec(false, false, true)), false);
  });

  it("reads any of X* like 1 of X*", () => {
    const r = rule("sel_a:\n  f1: 'y'\nsel_b:\n  f2: 'y'\ncondition: any of sel_*");
    assert.equal(r.matches(rec(false, true, false)), true);
  });

  it("reads all of X* as every identifier starting with X", () => {
    const r = rule("sel_a:\n  f1: 'y'\nsel_b:\n  f2: 'y'\ncondition: all of sel_*");
    assert.equal(r.matches(rec(true, true, false)), true);
    assert.equal(r.matches(rec(true, false, false)), false);
  });

  it("reads 1 of them as any identifier not starting with _", () => {
    const r = rule("a:\n  f1: 'y'\n_b:\n  f2: 'y'\ncondition: 1 of them");
    assert.equal(r.matches(rec(true, false, false)), true);
    assert.equal(r.matches(rec(false, true, false)), false);
  });

  it("reads all of them as every identifier not starting with _", () => {
    const r = rule("a:\n  f1: 'y'\nb:\n  f2: 'y'\n_c:\n  f3: 'y'\ncondition: all of them");
    assert.equal(r.matches(rec(true, true, false)), true);
  });

  it("ORs a condition given as a list", () => {
    const r = rule(`${ABC}condition:\n  - a and b\n  - c`);
    assert.equal(r.matches(rec(false, false, true)), true);
    assert.equal(r.matches(rec(true, false, false)), false);
  });

  it("accepts the operators in upper case", () => {
    assert.equal(cond("a AND NOT b").matches(rec(true, false, false)), true);
  });

  it("parses or < and < not < x of < () into the expected tree", () => {
    assert.deepEqual(parseCondition("not a or b and 1 of c*"), {
      kind: "or",
      left: { kind: "not", operand: { kind: "id", name: "a", offset: 4 } },
      right: {
        kind: "and",
        left: { kind: "id", name: "b", offset: 9 },
        right: { kind: "of", quantifier: "one", pattern: "c*", offset: 20 },
      },
    });
  });
});
