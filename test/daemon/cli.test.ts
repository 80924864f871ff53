import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.ts";
import { daemonConfigProblems } from "../../src/daemon/config-check.ts";

const repo = new URL("../../", import.meta.url).pathname;

function daemon(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "daemon", ...args], {
    cwd: repo,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
}

function configFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "tw-daemon-cli-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return { dir, file };
}

test("an invalid schedule is rejected with exit 2 before anything runs, naming file:line:column", () => {
  const { file, dir } = configFile("output: { dir: reports }\nschedule:\n  audit: 'every hour'\n");
  const r = daemon(["--config", file, "--once"]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`${file}:3:10: schedule.audit "every hour"`), r.stderr);
  assert.equal(existsSync(join(dir, "reports")), false);
});

test("a webhook header whose environment variable is unset is exit 2, naming the variable", () => {
  const { file } = configFile(
    "notify:\n  webhook:\n    url: http://127.0.0.1:9/hook\n    headersFromEnv: { Authorization: TW_UNSET_VAR }\n",
  );
  const r = daemon(["--config", file, "--once"], { TW_UNSET_VAR: "" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /environment variable TW_UNSET_VAR is not set/);
  assert.doesNotMatch(r.stderr, /usage:/, "an unset variable is not a usage error");
});

test("--config is required, and the usage text follows that usage error", () => {
  const r = daemon(["--once"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--config FILE is required/);
  assert.match(r.stderr, /usage: trailwarden daemon/);
});

test("a missing --inventory file is exit 2 with the message alone, not the usage text", () => {
  const { dir, file } = configFile(
    "rules: []\noutput: { dir: reports }\nstate: { dir: state }\nhttp: { enabled: false }\n",
  );
  const r = daemon(["--config", file, "--once", "--inventory", join(dir, "missing.json")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--inventory .*missing\.json: no such file/);
  assert.doesNotMatch(r.stderr, /usage:/);
});

test("--once on a saved inventory writes the reports and exits with the audit's exit code", () => {
  const { dir, file } = configFile(
    `rules: [${join(repo, "rules")}]\noutput: { dir: reports }\nstate: { dir: state }\nhttp: { enabled: false }\n`,
  );
  const r = daemon(["--config", file, "--once", "--inventory", join(repo, "demo/inventory.json")]);
  assert.equal(r.status, 1, r.stderr); // the demo inventory has FAIL findings
  const latest = JSON.parse(readFileSync(join(dir, "reports", "latest-audit.json"), "utf8"));
  assert.ok(latest.findings.some((f: { status: string }) => f.status === "FAIL"));
  assert.ok(existsSync(join(dir, "reports", "latest-scan.json")));
});

test("the config in the Kubernetes example is a valid trailwarden config", () => {
  const manifest = parse(readFileSync(join(repo, "examples/kubernetes/configmap.yaml"), "utf8"));
  const text = manifest.data["config.yaml"] as string;
  const config = parseConfig(text, "examples/kubernetes/configmap.yaml#config.yaml", "/");
  assert.deepEqual(daemonConfigProblems(config), []);
  assert.equal(config.http.host, "0.0.0.0");
});
