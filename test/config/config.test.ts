import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, "cfg.yaml", "/base");
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  return [];
}

describe("config loading", () => {
  it("accepts the documented example config", () => {
    const text = readFileSync(new URL("../../config.example.yaml", import.meta.url), "utf8");
    const config = parseConfig(text, "config.example.yaml", "/base");
    assert.equal(config.accounts.length, 2);
    assert.equal(config.regions, "enabled");
    assert.equal(config.http.port, 9464);
  });

  it("fills in defaults for an empty file", () => {
    const config = parseConfig("", "cfg.yaml", "/base");
    assert.equal(config.aws.region, "us-east-1");
    assert.equal(config.policy.requireSns, true);
    assert.equal(config.state.dir, "/base/.trailwarden/state");
  });

  it("turns log integrity on by default only when a source is s3://, with a two-hour grace period", () => {
    const s3 = parseConfig("logs:\n  sources: [s3://trail-logs]\n", "cfg.yaml", "/base");
    assert.equal(s3.logs.verifyIntegrity, true);
    assert.equal(s3.logs.integrityGraceMinutes, 120);
    const sqs = parseConfig(
      "logs:\n  sources: ['sqs://https://sqs.us-east-1.amazonaws.com/111111111111/q']\n",
      "cfg.yaml",
      "/base",
    );
    assert.equal(sqs.logs.verifyIntegrity, false);
    const off = parseConfig(
      "logs:\n  sources: [s3://trail-logs-b]\n  verifyIntegrity: false\n  integrityGraceMinutes: 30\n",
      "cfg.yaml",
      "/base",
    );
    assert.equal(off.logs.verifyIntegrity, false);
    assert.equal(off.logs.integrityGraceMinutes, 30);
    assert.deepEqual(problemsOf("logs:\n  integrityGraceMinutes: 0\n").length, 1);
  });

  it("points an unknown key at its line and column", () => {
    assert.deepEqual(problemsOf("aws:\n  region: us-east-1\n  regoin: x\n"), [
      'cfg.yaml:3:3: unknown key "regoin" in aws',
    ]);
  });

  it("lists every problem, not just the first", () => {
    const problems = problemsOf("accounts:\n  - id: '12'\npolicy:\n  requireKms: yes-please\n");
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^cfg\.yaml:2:9: "accounts\.0\.id" must match pattern/);
    assert.match(problems[1], /^cfg\.yaml:4:15: "policy\.requireKms" must be boolean/);
  });

  it("reports YAML syntax errors with their position", () => {
    const [problem] = problemsOf("aws: [unclosed\n");
    assert.match(problem, /^cfg\.yaml:\d+:\d+: YAML syntax/);
  });

  it("rejects custom tags", () => {
    const [problem] = problemsOf("aws: !!js/function 'x'\n");
    assert.match(problem, /^cfg\.yaml:1:6: YAML/);
  });

  it("bounds alias expansion", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n");
    assert.ok(problemsOf(bomb).length > 0);
  });
});
