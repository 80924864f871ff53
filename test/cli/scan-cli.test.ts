// `trailwarden scan --config` as a user runs it: the outputs the docs promise, --output -, and the
// difference between a usage error and a config that cannot run.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { validatorFor } from "../../src/config/schema.ts";
import { runCli } from "../support/cli.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));

function scan(cwd: string, ...args: string[]) {
  return runCli(["scan", ...args], cwd);
}

function workspace(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tw-scan-cli-"));
  writeFileSync(join(dir, "config.yaml"), config);
  return dir;
}

describe("trailwarden scan --config", () => {
  it("writes latest-scan.json beside detections.jsonl, and the report to stdout for --output -", () => {
    const dir = workspace(
      `rules: ["${join(repo, "rules")}"]\nlogs:\n  sources: ["file://${join(repo, "demo/logs")}"]\nstate: { dir: state }\noutput: { dir: reports }\n`,
    );
    const r = scan(dir, "--config", "config.yaml", "--output", "-");
    assert.equal(r.code, 0, r.err);
    const printed = JSON.parse(r.out);
    assert.ok(printed.summary.detections.total > 0);
    assert.equal(existsSync(join(dir, "-")), false);
    const latest = JSON.parse(readFileSync(join(dir, "reports/latest-scan.json"), "utf8"));
    assert.ok(validatorFor("scan-report")(latest), JSON.stringify(validatorFor("scan-report").errors));
    assert.deepEqual(latest, printed);
    const lines = readFileSync(join(dir, "reports/detections.jsonl"), "utf8").trim().split("\n");
    assert.equal(lines.length, printed.summary.detections.total);
  });

  it("exits 2 naming the config, without the usage text, when the config has no rules", () => {
    const dir = workspace(`logs:\n  sources: ["file://${join(repo, "demo/logs")}"]\n`);
    const r = scan(dir, "--config", "config.yaml");
    assert.equal(r.code, 2);
    assert.match(r.err, /config\.yaml:1:1: rules: the config lists no rule files or folders/);
    assert.doesNotMatch(r.err, /usage:/);
  });

  it("prints the usage text when neither --config nor --logs is given", () => {
    const r = scan(tmpdir());
    assert.equal(r.code, 2);
    assert.match(r.err, /give --config FILE, or --rules and --logs\n\nusage: trailwarden scan/);
  });
});
