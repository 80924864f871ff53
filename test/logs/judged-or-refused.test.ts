// Nothing is consumed unless it was judged: a scan with no rule refuses to start (exit 2, located),
// rule errors are counted per rule in the summary, and an interrupted scan exits 130.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { validatorFor } from "../../src/config/schema.ts";
import { scanLocal } from "../../src/logs/local.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { addQueue, enqueue } from "../endpoint/services/sqs.ts";
import { startEndpoint } from "../support/endpoint.ts";
import { waitUntil } from "../support/wait.ts";
import { ctKey, logBody, record, STOP_LOGGING, tempDir } from "./support.ts";

const repo = new URL("../../", import.meta.url).pathname;
const fixtureRules = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: repo,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
}

/** A folder with a log file, an empty rules folder and a config reading the logs with file://. */
function setup(rulesLine: string): { dir: string; file: string } {
  const dir = tempDir("tw-norules-");
  mkdirSync(join(dir, "logs"));
  mkdirSync(join(dir, "empty-rules"));
  writeFileSync(join(dir, "logs", "a.json.gz"), logBody([record("e1", "StopLogging")]));
  const file = join(dir, "config.yaml");
  writeFileSync(
    file,
    `logs:\n  sources: [file://logs]\nstate: { dir: state }\noutput: { dir: out }\nhttp: { enabled: false }\n${rulesLine}`,
  );
  return { dir, file };
}

describe("no rule, no run", () => {
  it("scan --config whose rules load nothing exits 2 at the rules key, before reading a file", () => {
    const { dir, file } = setup("# the rules\nrules:\n  - empty-rules\n");
    const r = cli(["scan", "--config", file]);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(
      r.stderr.includes(`${file}:7:1: rules: no rule loaded from ${join(dir, "empty-rules")}`),
      r.stderr,
    );
    assert.equal(existsSync(join(dir, "state")), false, "no progress was recorded");
    assert.equal(existsSync(join(dir, "out")), false);
  });

  it("scan --config without a rules key exits 2 and says so", () => {
    const { dir, file } = setup("");
    const r = cli(["scan", "--config", file]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config\.yaml:1:1: rules: the config lists no rule files/);
    assert.equal(existsSync(join(dir, "state")), false);
  });

  it("scan --rules on a folder without rules exits 2 before reading the logs", () => {
    const { dir } = setup("");
    const r = cli(["scan", "--rules", join(dir, "empty-rules"), "--logs", join(dir, "logs")]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--rules: no rule loaded from/);
    const missing = cli(["scan", "--rules", join(dir, "nope"), "--logs", join(dir, "logs")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--rules .*nope: no such file or folder/);
  });

  it("daemon and daemon --once whose rules load nothing exit 2 at the rules key, before any job runs", () => {
    const { dir, file } = setup("rules: [empty-rules]\n");
    for (const args of [
      ["daemon", "--config", file, "--once"],
      ["daemon", "--config", file],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes(`${file}:6:1: rules: no rule loaded`), r.stderr);
      assert.equal(existsSync(join(dir, "out")), false);
    }
  });

  it("a rules path that does not exist is a config error at that list item", () => {
    const { file } = setup(`rules:\n  - ${fixtureRules}\n  - typo-rules\n`);
    const r = cli(["scan", "--config", file]);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`${file}:8:5: rules[1] "typo-rules" does not exist`), r.stderr);
  });
});

describe("rule evaluation errors", () => {
  it("are counted per rule id in the summary, and the other rule's detections are kept", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "a.json.gz"),
      logBody([record("e1", "StopLogging"), record("e2", "StopLogging")]),
    );
    const detector = {
      evaluate: (r: Record<string, unknown>, onError?: (rule: { id: string }, e: unknown) => void) => {
        onError?.({ id: "rule-throws" }, new RangeError("Maximum call stack size exceeded"));
        return r.eventName === "StopLogging" ? [STOP_LOGGING] : [];
      },
    };
    const { summary, detections } = await scanLocal({ paths: [dir], detector });
    assert.deepEqual(summary.evaluationErrors, { "rule-throws": 2 });
    assert.equal(detections.length, 2);
    const report = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version: "0" },
      rules: { loaded: 2, problems: [] },
      summary,
    };
    const validate = validatorFor("scan-report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    const { evaluationErrors: _, ...without } = summary;
    assert.equal(validate({ ...report, summary: without }), false, "the schema requires evaluationErrors");
  });
});

describe("an interrupted scan", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
  });
  after(() => ep.stop());

  it("with no rule, neither receives nor deletes an SQS message (scan and daemon --once)", () => {
    const account = "222222222222";
    ep.world.addAccount(account);
    const queue = addQueue(ep.world, account, "norules-queue");
    enqueue(queue, JSON.stringify({ s3Bucket: "b", s3ObjectKey: ["AWSLogs/x.json.gz"] }));
    const key = ep.world.addUserKey(account);
    const dir = tempDir("tw-norules-sqs-");
    mkdirSync(join(dir, "empty-rules"));
    const file = join(dir, "config.yaml");
    writeFileSync(
      file,
      `aws: { region: us-east-1, endpoint: "${ep.url}", maxAttempts: 1 }\nrules: [empty-rules]\nlogs:\n  sources: ["sqs://${ep.url}/${account}/norules-queue"]\nstate: { dir: state }\noutput: { dir: out }\nhttp: { enabled: false }\n`,
    );
    const calls = ep.calls.length;
    const creds = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
    for (const args of [
      ["scan", "--config", file],
      ["daemon", "--config", file, "--once"],
    ]) {
      const r = cli(args, creds);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /config\.yaml:2:1: rules: no rule loaded/);
    }
    assert.equal(ep.calls.length, calls, "no AWS call at all");
    assert.equal(
      queue.messages.filter((m) => !m.deleted && m.receiveCount === 0).length,
      1,
      "still queued, never received",
    );
  });

  it("exits 130 on SIGINT and SIGTERM, and writes no summary", async () => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const account = "111111111111";
      const bucket = `interrupted-${sig.toLowerCase()}`;
      ep.world.addBucket(bucket, account);
      ep.world.putObject(
        bucket,
        ctKey(account, "us-east-1", new Date(), "u1"),
        logBody([record("e1", "StopLogging")]),
      );
      const key = ep.world.addUserKey(account);
      ep.faults.add({ kind: "latency", operation: "GetObject", ms: 120_000 });
      const dir = tempDir("tw-interrupt-");
      const file = join(dir, "config.yaml");
      writeFileSync(
        file,
        `aws: { region: us-east-1, endpoint: "${ep.url}", s3ForcePathStyle: true, maxAttempts: 1 }\nrules: [${fixtureRules}]\nlogs:\n  sources: [s3://${bucket}]\nstate: { dir: state }\noutput: { dir: out }\n`,
      );
      const before = ep.count({ operation: "GetObject" });
      const child: ChildProcess = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/cli/main.ts",
          "scan",
          "--config",
          file,
          "--output",
          join(dir, "summary.json"),
        ],
        {
          cwd: repo,
          stdio: ["ignore", "ignore", "pipe"],
          env: {
            ...process.env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            AWS_ACCESS_KEY_ID: key.accessKeyId,
            AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
          },
        },
      );
      let stderr = "";
      child.stderr?.setEncoding("utf8").on("data", (c: string) => {
        stderr += c;
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      try {
        await waitUntil(
          () => ep.count({ operation: "GetObject" }) > before,
          "the scan to start a download",
          60_000,
        );
        child.kill(sig);
        assert.equal(await exited, 130, `${sig}: ${stderr}`);
        assert.equal(existsSync(join(dir, "summary.json")), false);
      } finally {
        child.kill("SIGKILL");
        ep.faults.clear();
      }
    }
  });
});
