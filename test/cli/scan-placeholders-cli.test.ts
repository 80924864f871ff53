// `trailwarden scan --rules --logs --placeholders FILE`: placeholder values for a one-off scan, from the
// same file format as `rules validate --placeholders`.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../support/cli.ts";

function scan(cwd: string, ...args: string[]) {
  return runCli(["scan", ...args], cwd);
}

const RULE = `title: Admin stopped logging
id: admin-stop
logsource: { product: aws, service: cloudtrail }
detection:
  sel:
    eventName: StopLogging
    userIdentity.userName|expand: '%admins%'
  condition: sel
level: high
`;

function record(id: string, user: string) {
  return {
    eventVersion: "1.08",
    eventID: id,
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    awsRegion: "us-east-1",
    recipientAccountId: "111111111111",
    userIdentity: { type: "IAMUser", userName: user, arn: `arn:aws:iam::111111111111:user/${user}` },
  };
}

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "tw-scan-placeholders-"));
  writeFileSync(join(dir, "rule.yml"), RULE);
  writeFileSync(
    join(dir, "logs.json"),
    JSON.stringify({ Records: [record("e-1", "alice"), record("e-2", "bob"), record("e-3", "mallory")] }),
  );
  writeFileSync(join(dir, "placeholders.yaml"), "admins: [alice, bob]\n");
  return dir;
}

describe("trailwarden scan --placeholders", () => {
  it("expands |expand placeholders from the file in a one-off --logs scan", () => {
    const dir = workspace();
    const r = scan(
      dir,
      ...["--rules", "rule.yml", "--logs", "logs.json", "--placeholders", "placeholders.yaml"],
      ...["--format", "json", "--workers", "0"],
    );
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.deepEqual(report.detections.map((d: { eventID: string }) => d.eventID).sort(), ["e-1", "e-2"]);
  });

  it("gives the same placeholders to the scan's worker threads", () => {
    const dir = workspace();
    const r = scan(
      dir,
      ...["--rules", "rule.yml", "--logs", "logs.json", "--placeholders", "placeholders.yaml"],
      ...["--format", "json", "--workers", "1"],
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).detections.length, 2);
  });

  it("reports the rule as not loading when its placeholder has no value", () => {
    const dir = workspace();
    const r = scan(dir, "--rules", "rule.yml", "--logs", "logs.json", "--format", "json");
    assert.equal(r.code, 2);
    assert.match(r.err, /rule\.yml:\d+:\d+: \[admin-stop\] .*admins/);
  });

  it("locates a bad placeholders file as a config error", () => {
    const dir = workspace();
    writeFileSync(join(dir, "placeholders.yaml"), "admins: [alice, 3]\n");
    const r = scan(dir, "--rules", "rule.yml", "--logs", "logs.json", "--placeholders", "placeholders.yaml");
    assert.equal(r.code, 2);
    assert.match(r.err, /placeholders\.yaml:1:9: placeholder "admins" must be a string or a list of strings/);
  });

  it("refuses --placeholders with --config, whose placeholders a scan uses", () => {
    const dir = workspace();
    writeFileSync(join(dir, "config.yaml"), "rules: [rule.yml]\n");
    const r = scan(dir, "--config", "config.yaml", "--placeholders", "placeholders.yaml");
    assert.equal(r.code, 2);
    assert.match(r.err, /give --placeholders or --config, not both/);
  });
});
