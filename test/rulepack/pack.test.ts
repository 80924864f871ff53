// The shipped rule pack (rules/): every rule loads, carries the pack's metadata and has its own tests.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { runRuleTests } from "../../src/rules/tests.ts";
import { RULES_DIR, shippedRules } from "./support.ts";

const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith(".yml") && !f.includes(".tests."));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("every shipped rule loads without problems", async () => {
  const { rules, correlations, problems } = await shippedRules();
  assert.deepEqual(problems, []);
  // A correlation file holds the correlation and, sometimes, the building blocks it alone uses.
  const loadedFiles = new Set([...rules, ...correlations].map((r) => r.file.split(/[\\/]/).pop()));
  assert.deepEqual([...loadedFiles].sort(), [...ruleFiles].sort());
  assert.ok(rules.length >= 22);
  assert.ok(correlations.length >= 6);
});

test("every shipped rule's own test cases pass", async () => {
  const report = await runRuleTests([RULES_DIR]);
  const failed = report.cases
    .filter((c) => !c.passed)
    .map((c) => `${c.file}:${c.line}:${c.column}: ${c.name}`);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(failed, []);
  assert.deepEqual(
    report.untested.map((r) => r.file),
    [],
  );
});

test("every shipped rule has at least one match and one nomatch test case", () => {
  for (const file of ruleFiles) {
    const testFile = join(RULES_DIR, file.replace(/\.yml$/, ".tests.yaml"));
    const { tests, correlations } = parse(readFileSync(testFile, "utf8")) as {
      tests?: { expect: string }[];
      correlations?: { expect: unknown[] }[];
    };
    if (correlations) {
      // A correlation file: cases that must fire and cases that must not.
      assert.ok(
        correlations.some((c) => c.expect.length > 0),
        `${file} needs a case that fires`,
      );
      assert.ok(
        correlations.some((c) => c.expect.length === 0),
        `${file} needs a case that does not fire`,
      );
      continue;
    }
    const expects = new Set((tests ?? []).map((t) => t.expect));
    assert.ok(expects.has("match") && expects.has("nomatch"), `${file} needs both kinds of test case`);
  }
});

test("every shipped correlation rule carries the pack's metadata and a false-positive note", async () => {
  const { correlations } = await shippedRules();
  for (const c of correlations) {
    const where = c.file;
    assert.match(where.split(/[\\/]/).pop()!, /^aws_cloudtrail_[a-z0-9_]+\.yml$/);
    assert.match(c.id, UUID, where);
    assert.equal(c.author, "trailwarden", where);
    assert.ok(["low", "medium", "high", "critical"].includes(c.level), where);
    assert.ok((c.references ?? []).length > 0, where);
    assert.ok((c.falsepositives ?? []).length > 0, where);
    assert.ok(c.description && c.description.length > 40, where);
    assert.ok(
      c.tags.some((t) => /^cis\.aws\.\d+\.\d+$/.test(t)),
      `${where}: no CIS tag`,
    );
    assert.ok(
      c.tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t)),
      `${where}: no ATT&CK technique tag`,
    );
  }
});

test("rule ids are distinct random UUIDs", async () => {
  const { rules } = await shippedRules();
  for (const r of rules) assert.match(r.id, UUID, r.file);
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
});

test("every shipped rule carries author, references, false positives, a CIS tag and an ATT&CK tag", async () => {
  const { rules } = await shippedRules();
  for (const r of rules) {
    const where = r.file;
    assert.match(where.split(/[\\/]/).pop()!, /^aws_cloudtrail_[a-z0-9_]+\.yml$/);
    assert.equal(r.author, "trailwarden", where);
    assert.deepEqual(r.logsource, { product: "aws", service: "cloudtrail" }, where);
    assert.ok(["low", "medium", "high", "critical"].includes(r.level), where);
    assert.ok((r.references ?? []).length > 0, where);
    assert.ok((r.falsepositives ?? []).length > 0, where);
    assert.ok(r.description && r.description.length > 40, where);
    assert.ok(
      r.tags.some((t) => /^cis\.aws\.\d+\.\d+$/.test(t)),
      `${where}: no CIS tag`,
    );
    assert.ok(
      r.tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t)),
      `${where}: no ATT&CK technique tag`,
    );
  }
});

test("every CIS AWS Foundations monitoring control 4.1 to 4.15 has a rule", async () => {
  const { rules } = await shippedRules();
  const tags = new Set(rules.flatMap((r) => r.tags));
  for (let n = 1; n <= 15; n++) assert.ok(tags.has(`cis.aws.4.${n}`), `cis.aws.4.${n}`);
});

test("only the rules that must see every event leave eventSource unpinned", async () => {
  const { rules } = await shippedRules();
  const unpinned = rules
    .filter((r) => !r.pins.eventSource && !r.pins.eventName)
    .map((r) => r.file.split(/[\\/]/).pop())
    .sort();
  assert.deepEqual(unpinned, [
    "aws_cloudtrail_root_account_usage.yml",
    "aws_cloudtrail_unauthorized_api_call.yml",
  ]);
});
