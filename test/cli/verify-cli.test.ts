// `trailwarden verify` as a user runs it: a child process against the test endpoint, with the
// default window (the last 24 h) and the default trails (every trail with validation on).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import type { VerifyReport } from "../../src/integrity/verify-trails.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { DigestChain, signingKey } from "../support/digest-chain.ts";
import { startEndpoint } from "../support/endpoint.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SEC = "100000000000";
const ACCT = "111111111111";

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "verify", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), AWS_EC2_METADATA_DISABLED: "true", ...env },
    });
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
  });
}

describe("trailwarden verify (CLI)", () => {
  let ep: AwsTestEndpoint;
  let env: Record<string, string>;
  let config: string;
  let dir: string;
  let good: string;
  let tampered: string;
  let modifiedKey: string;

  before(async () => {
    ep = await startEndpoint();
    const w = new AuditWorld(ep).account(SEC).account(ACCT);
    const key = signingKey();
    ep.world.addCloudTrailKey("us-east-1", key);
    // Six hours of digests ending a few minutes ago.
    const first = Date.now() - 6 * 3_600_000 - 10 * 60_000;
    const build = (name: string) => {
      const arn = w.trail(ACCT, { name, bucket: `${name}-logs` });
      const c = new DigestChain({
        bucket: `${name}-logs`,
        account: ACCT,
        region: "us-east-1",
        trailName: name,
        key,
      });
      for (let h = 0; h < 6; h++) c.hour(new Date(first + h * 3_600_000));
      return { arn, c };
    };
    const g = build("good");
    g.c.publishTo(ep.world);
    good = g.arn;
    const t = build("tampered");
    modifiedKey = t.c.logFiles[3];
    t.c.modify(modifiedKey, (records) => {
      records.length = 1;
    });
    t.c.publishTo(ep.world);
    tampered = t.arn;
    w.trail(ACCT, { name: "unvalidated", validation: false });
    const k = ep.world.addUserKey(SEC);
    env = { AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey };
    dir = mkdtempSync(join(tmpdir(), "tw-verify-"));
    config = join(dir, "config.yaml");
    writeFileSync(
      config,
      [
        "aws:",
        "  region: us-east-1",
        `  endpoint: ${ep.url}`,
        "  s3ForcePathStyle: true",
        "  maxAttempts: 3",
        "accounts:",
        `  - id: "${ACCT}"`,
        `    roleArn: arn:aws:iam::${ACCT}:role/TrailwardenAudit`,
        "regions: [us-east-1]",
        "",
      ].join("\n"),
    );
  });
  after(() => ep.stop());

  it("exits 0 and prints the contract's report when the trail's chain is intact", async () => {
    const run = await cli(["--config", config, "--trail", good], env);
    assert.equal(run.code, 0, run.stderr);
    const report: VerifyReport = JSON.parse(run.stdout);
    const validate = validatorFor("verify-report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.trails.length, 1);
    const t = report.trails[0];
    assert.equal(t.trail, good);
    assert.equal(t.digests.length, 6);
    assert.ok(t.digests.every((d) => typeof d.key === "string" && d.status === "valid"));
    assert.equal(t.logFiles.length, 12);
    assert.ok(t.logFiles.every((f) => f.status === "valid"));
    assert.deepEqual(t.gaps, []);
    assert.match(run.stderr, /verify: 1 trail\(s\); digests 6 valid, 0 invalid, 0 missing/);
  });

  it("verifies every trail with validation on by default, and exits 1 on a modified log file", async () => {
    const output = join(dir, "report.json");
    const run = await cli(["--config", config, "--output", output], env);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "");
    const report: VerifyReport = JSON.parse(readFileSync(output, "utf8"));
    const validate = validatorFor("verify-report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.deepEqual(
      report.trails.map((t) => t.trail),
      [good, tampered],
    );
    const bad = report.trails[1].logFiles.filter((f) => f.status !== "valid");
    assert.deepEqual(
      bad.map((f) => [f.key, f.status]),
      [[modifiedKey, "modified"]],
    );
  });

  it("exits 2 on a --start that is not a time", async () => {
    const run = await cli(["--config", config, "--start", "yesterday"], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--start yesterday: expected an ISO 8601 time or a duration/);
  });
});
