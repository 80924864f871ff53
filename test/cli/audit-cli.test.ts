// `trailwarden audit` as a user runs it: a child process against the test endpoint.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import type { AuditReport } from "../../src/report/audit-report.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { DEFAULT_REGIONS } from "../endpoint/world.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { waitUntil } from "../support/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SEC = "100000000000";
const GOOD = "111111111111";
const BAD = "222222222222";
const OPT_IN = "333333333333";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
  cwd = ROOT,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts"), "audit", ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), AWS_EC2_METADATA_DISABLED: "true", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    onSpawn?.(child);
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("trailwarden audit (CLI)", () => {
  let ep: AwsTestEndpoint;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    ep = await startEndpoint();
    const w = new AuditWorld(ep)
      .account(SEC)
      .account(GOOD)
      .account(BAD)
      .account(OPT_IN, { regions: ["us-east-1"] });
    w.goodTrail(GOOD);
    w.goodTrail(OPT_IN);
    w.trail(BAD, { name: "plain", multiRegion: true, validation: false });
    const key = ep.world.addUserKey(SEC);
    env = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
    dir = mkdtempSync(join(tmpdir(), "tw-cli-"));
  });
  after(() => ep.stop());

  const configFile = (name: string, accounts: string[], regions = ["us-east-1", "eu-west-1"]) => {
    const file = join(dir, name);
    const lines = [
      "aws:",
      "  region: us-east-1",
      `  endpoint: ${ep.url}`,
      "  s3ForcePathStyle: true",
      "  maxAttempts: 3",
      "accounts:",
      ...accounts.flatMap((id) => [
        `  - id: "${id}"`,
        `    roleArn: arn:aws:iam::${id}:role/TrailwardenAudit`,
      ]),
      `regions: [${regions.join(", ")}]`,
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  };

  it("exits 0 and prints a schema-valid report on stdout when every finding passes", async () => {
    const run = await cli(["--config", configFile("good.yaml", [GOOD])], env);
    assert.equal(run.code, 0, run.stderr);
    const report: AuditReport = JSON.parse(run.stdout);
    assert.ok(validatorFor("report")(report));
    assert.equal(report.summary.byStatus.FAIL, 0);
    assert.match(run.stderr, /audit: \d+ findings: \d+ PASS, 0 FAIL, 0 ERROR across 1 accounts/);
  });

  it("exits 1 when a finding fails and writes the report to --output", async () => {
    const output = join(dir, "bad-report.json");
    const run = await cli(["--config", configFile("bad.yaml", [GOOD, BAD]), "--output", output], env);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "");
    const report = JSON.parse(readFileSync(output, "utf8"));
    assert.ok(
      report.findings.some(
        (f: { status: string; accountId: string }) => f.status === "FAIL" && f.accountId === BAD,
      ),
    );
    assert.match(run.stderr, /report written to/);
  });

  it("exits 3 when a region cannot be read and nothing fails", async () => {
    const run = await cli(["--config", configFile("optin.yaml", [OPT_IN])], env);
    assert.equal(run.code, 3, run.stderr);
    const report = JSON.parse(run.stdout);
    const error = report.findings.find((f: { status: string }) => f.status === "ERROR");
    assert.equal(error.region, "eu-west-1");
    assert.match(error.message, /not enabled for the account/);
  });

  it("saves the inventory and judges it again without AWS", async () => {
    const inventory = join(dir, "inventory.json");
    const config = configFile("save.yaml", [GOOD, BAD]);
    const first = await cli(["--config", config, "--save-inventory", inventory], env);
    const calls = ep.calls.length;
    const second = await cli(["--config", config, "--inventory", inventory], {});
    assert.equal(second.code, 1, second.stderr);
    assert.equal(ep.calls.length, calls);
    assert.deepEqual(JSON.parse(second.stdout).findings, JSON.parse(first.stdout).findings);
  });

  it("exits 2 naming file:line:column for an invalid config, before any AWS call", async () => {
    const file = join(dir, "invalid.yaml");
    writeFileSync(file, `aws:\n  endpoint: ${ep.url}\nregions: [us-east-1]\naccounts:\n  - id: "12"\n`);
    const calls = ep.calls.length;
    const run = await cli(["--config", file], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`${escapeRegExp(file)}:5:9: "accounts\\.0\\.id" must match pattern`));
    assert.equal(ep.calls.length, calls);
  });

  it("judges a saved inventory with the default policy when no config is given", async () => {
    const run = await cli(["--inventory", join(ROOT, "demo/inventory.json")], {});
    assert.equal(run.code, 1, run.stderr);
    assert.ok((JSON.parse(run.stdout) as AuditReport).findings.some((f) => f.status === "FAIL"));
  });

  it("exits 130 without writing a report when interrupted", async () => {
    const slow = ep.faults.add({ kind: "latency", ms: 3000 });
    const output = join(dir, "interrupted.json");
    try {
      const run = await cli(
        ["--config", configFile("slow.yaml", [GOOD]), "--output", output],
        env,
        (child) => {
          // Interrupt once the audit is talking to AWS (a fixed delay can beat a slow start-up).
          const before = ep.calls.length;
          void waitUntil(() => ep.calls.length > before, "the audit's first AWS call").then(() =>
            child.kill("SIGINT"),
          );
        },
      );
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /interrupted; no report written/);
      assert.throws(() => readFileSync(output));
    } finally {
      ep.faults.rules.splice(ep.faults.rules.indexOf(slow), 1);
    }
  });

  it("audits the caller's own account in every enabled region with the default policy when no --config is given", async () => {
    const key = ep.world.addUserKey(GOOD);
    const own = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
    const run = await cli([], { ...own, AWS_ENDPOINT_URL: ep.url, AWS_REGION: "us-east-1" });
    assert.equal(run.code, 0, run.stderr);
    const report: AuditReport = JSON.parse(run.stdout);
    assert.deepEqual(report.scope.accounts, [GOOD]);
    assert.deepEqual([...report.scope.regions].sort(), [...DEFAULT_REGIONS].sort());
    // the default policy: requireSns and requireLogFileValidation are judged
    assert.ok(report.findings.some((f) => f.check === "trail-sns" && f.status === "PASS"));
    assert.ok(report.findings.some((f) => f.check === "log-file-validation" && f.status === "PASS"));
  });

  it("prints no MaxListenersExceededWarning when auditing many regions at once", async () => {
    const run = await cli(["--config", configFile("many.yaml", [GOOD, BAD], DEFAULT_REGIONS)], env);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(JSON.parse(run.stdout).scope.regions.length, DEFAULT_REGIONS.length);
    assert.doesNotMatch(run.stderr, /MaxListenersExceededWarning|abort listeners/);
  });

  it("writes the report to stdout for --output -, and no file named -", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tw-cli-stdout-"));
    const run = await cli(
      ["--inventory", join(ROOT, "demo/inventory.json"), "--output", "-"],
      {},
      undefined,
      cwd,
    );
    assert.equal(run.code, 1, run.stderr);
    assert.ok(validatorFor("report")(JSON.parse(run.stdout)));
    assert.doesNotMatch(run.stderr, /report written to/);
    assert.equal(existsSync(join(cwd, "-")), false);
  });

  it("exits 2 with the message alone, not the usage text, when the inventory file is missing", async () => {
    const run = await cli(["--inventory", join(dir, "no-such-inventory.json")], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no-such-inventory\.json: cannot read inventory/);
    assert.doesNotMatch(run.stderr, /usage:/);
  });

  it("prints the usage text after a usage error", async () => {
    const run = await cli(["--no-such-flag"], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: trailwarden audit/);
  });

  it("exits 2 for an inventory file that is not an inventory", async () => {
    const file = join(dir, "not-inventory.json");
    writeFileSync(file, '{"hello": 1}');
    const run = await cli(["--config", configFile("x.yaml", [GOOD]), "--inventory", file], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not a trailwarden inventory/);
  });
});
