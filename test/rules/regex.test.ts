import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileRegexTest, requiredLiteral } from "../../src/rules/regex.ts";

const plain = { ignoreCase: false, multiLine: false, dotAll: false };

describe("regex prefilter", () => {
  it("finds the literal every match of a SigmaHQ pattern contains", () => {
    assert.equal(requiredLiteral(".+:assumed-role/aws:.+"), ":assumed-role/aws:");
  });

  it("reads escaped punctuation as literal characters", () => {
    assert.equal(requiredLiteral("^s3\\.amazonaws\\.com$"), "s3.amazonaws.com");
  });

  it("leaves a quantified character out of the literal", () => {
    assert.equal(requiredLiteral("abcx?def"), "abc");
    assert.equal(requiredLiteral("abcx{2,3}defg"), "defg");
  });

  it("gives up on alternation and groups", () => {
    assert.equal(requiredLiteral("abcdef|ghijkl"), undefined);
    assert.equal(requiredLiteral("(abcdef)+"), undefined);
  });

  it("does not take a character class or \\d for a literal", () => {
    assert.equal(requiredLiteral("[abc]def\\dxy"), "def");
  });

  it("gives the same answers with the prefilter as the regex alone", () => {
    const cases: [string, string[]][] = [
      [
        ".+:assumed-role/aws:.+",
        ["arn:aws:sts::1:assumed-role/aws:ec2/i", "arn:aws:iam::1:user/x", ":assumed-role/aws:"],
      ],
      ["^AKIA[0-9A-Z]{16}$", ["AKIAABCDEFGHIJKLMNOP", "akiaABCDEFGHIJKLMNOP", "AKIA123"]],
      ["curl\\s+http", ["curl  http://x", "curlhttp", "wget http"]],
    ];
    for (const [pattern, inputs] of cases) {
      const fast = compileRegexTest(pattern, plain);
      const re = new RegExp(pattern);
      for (const s of inputs) assert.equal(fast(s), re.test(s), `${pattern} on ${s}`);
    }
  });

  it("skips the prefilter for a case-insensitive pattern with letters", () => {
    const test = compileRegexTest("assumed-role", { ...plain, ignoreCase: true });
    assert.equal(test("ASSUMED-ROLE"), true);
    assert.equal(test("a\u017Fsumed-role"), true, "RE2 folds ſ (long s) to s");
  });
});
