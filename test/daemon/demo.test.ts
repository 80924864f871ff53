import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const repo = new URL("../../", import.meta.url).pathname;

function demo() {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "demo"], {
    cwd: repo,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  return r;
}

test("the demo runs a full cycle on the bundled data, exits 0 despite FAIL findings, and shows detections every run", () => {
  const first = demo();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^audit: \d+ findings: \d+ PASS, [1-9]\d* FAIL, \d+ ERROR/m);
  const detections = /(\d+) detections/.exec(first.stdout);
  assert.ok(detections && Number(detections[1]) > 0, first.stdout);
  assert.match(first.stdout, /reports in \.trailwarden\/demo\/reports\/: .*latest-audit\.json/);
  const lines = readFileSync(`${repo}.trailwarden/demo/reports/detections.jsonl`, "utf8").trim().split("\n");
  assert.equal(lines.length, Number(detections[1]));

  const second = demo();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(
    /(\d+) detections/.exec(second.stdout)?.[1],
    detections[1],
    "a re-run shows the same detections",
  );
});

test("the demo ends with the failing checks and their resources, the top detections, and an HTML report", () => {
  const run = demo();
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^failing checks:$/m);
  assert.match(
    run.stdout,
    /^ {2}FAIL {2}trail-logging sandbox \(345678901234\) us-east-1 arn:aws:cloudtrail:us-east-1:345678901234:trail\/sandbox-trail: /m,
  );
  assert.match(run.stdout, /^top detections:$/m);
  assert.match(run.stdout, /^ {2}\[high\] AWS Root User Activity: .* \(userIdentity\.type=Root\)$/m);
  const html = readFileSync(`${repo}.trailwarden/demo/reports/latest-audit.html`, "utf8");
  assert.match(html, /<td class="cell s-FAIL"/);
});
