// The config is checked completely in one pass: every problem at once, each at file:line:column.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { addressProblem, bucketNameProblem } from "../../src/config/checks.ts";
import { ConfigError, loadConfigFile } from "../../src/config/load.ts";
import { formatProblem } from "../../src/config/yaml.ts";

const repo = new URL("../../", import.meta.url).pathname;

function configFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "tw-cfg-pass-"));
  mkdirSync(join(dir, "rules"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return { dir, file };
}

function problems(file: string): string[] {
  try {
    loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

const BAD = `aws:
  region: moon-base-1x
rules:
  - rules
  - missing-rules
logs:
  sources:
    - s3://Bad_Bucket/AWSLogs/
    - s3://ok-bucket/prefix
    - s3://192.168.1.1/x
    - file://
  lookbackHours: 100000
  regions: [us-east-1, Frankfurt]
schedule:
  audit: "0 * * * *"
  scan: "61 * * * *"
  timezone: Europe/Nowhere
http:
  address: "localhost:99999"
  keepAliveTimeoutSeconds: -1
notify:
  webhook:
    url: https://hooks.example.com/x
    timeoutSeconds: 100000
shutdownGraceSeconds: 999999
`;

test("every problem in a config is reported in one pass, each at its file:line:column", () => {
  const { file } = configFile(BAD);
  const got = problems(file);
  const expect: [string, RegExp][] = [
    ["2:11", /"aws\.region" must match pattern/],
    ["5:5", /rules\[1\] "missing-rules" does not exist/],
    ["8:7", /logs\.sources\[0\] "s3:\/\/Bad_Bucket\/AWSLogs\/": bucket name "Bad_Bucket" may hold only/],
    ["10:7", /bucket name "192\.168\.1\.1" must not be formatted as an IP address/],
    ["11:7", /"logs\.sources\.3" must match pattern/],
    ["12:18", /"logs\.lookbackHours" must be <= 2160/],
    ["13:24", /"logs\.regions\.1" must match pattern/],
    ["16:9", /schedule\.scan "61 \* \* \* \*": minute/],
    ["17:13", /schedule\.timezone "Europe\/Nowhere" is not an IANA time zone/],
    ["19:12", /http\.address "localhost:99999": port 99999 is not in 0\.\.65535/],
    ["20:28", /"http\.keepAliveTimeoutSeconds" must be >= 0/],
    ["24:21", /"notify\.webhook\.timeoutSeconds" must be <= 300/],
    ["25:23", /"shutdownGraceSeconds" must be <= 3600/],
  ];
  for (const [at, re] of expect)
    assert.ok(
      got.some((p) => p.startsWith(`${file}:${at}: `) && re.test(p)),
      `missing ${at} ${re}\n${got.join("\n")}`,
    );
  assert.equal(got.length, expect.length, got.join("\n"));
});

test("the CLI prints the located problems and exits 2, without a stack trace", () => {
  const { file } = configFile(BAD);
  for (const args of [
    ["scan", "--config", file],
    ["daemon", "--config", file, "--once"],
    ["audit", "--config", file],
  ]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: repo,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${file}:17:13: schedule.timezone`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:5:5: rules[1]`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
  }
});

test("listen addresses: host:port, [IPv6]:port, a valid host name and a port in range", () => {
  assert.equal(addressProblem("127.0.0.1:9464"), undefined);
  assert.equal(addressProblem("[::1]:0"), undefined);
  assert.equal(addressProblem("0.0.0.0:80"), undefined);
  assert.equal(addressProblem("metrics.internal:9464"), undefined);
  assert.match(addressProblem("9464") ?? "", /expected host:port/);
  assert.match(addressProblem("::1:9464") ?? "", /expected host:port/);
  assert.match(addressProblem("[127.0.0.1]:80") ?? "", /not an IPv6 address/);
  assert.match(addressProblem("300.1.1.1:80") ?? "", /not an IPv4 address/);
  assert.match(addressProblem("bad_host:80") ?? "", /not a host name/);
  assert.match(addressProblem(":80") ?? "", /host is empty/);
});

test("bucket names follow the S3 naming rules", () => {
  for (const ok of ["org-trail-logs", "a.b-c", "abc", "x".repeat(63)])
    assert.equal(bucketNameProblem(ok), undefined, ok);
  for (const bad of [
    "ab",
    "x".repeat(64),
    "Org",
    "-abc",
    "abc-",
    "a..b",
    "10.0.0.1",
    "xn--abc",
    "abc-s3alias",
    "a_b",
  ])
    assert.notEqual(bucketNameProblem(bad), undefined, bad);
});
