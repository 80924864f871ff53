// `trailwarden scan --config` with rules.select / rules.includeStatuses: only the chosen rules judge
// records, on the main thread and in worker threads alike, and a rule left out by status is noted.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import { runCli } from "../support/cli.ts";

function scan(cwd: string, ...args: string[]) {
  return runCli(["scan", ...args], cwd);
}

const rule = (id: string, level: string, eventName: string, status = "stable") => `title: ${id}
id: ${id}
status: ${status}
level: ${level}
logsource: { product: aws, service: cloudtrail }
detection:
  sel: { eventName: ${eventName} }
  condition: sel
`;

const record = (id: string, eventName: string) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: "2026-11-20T10:00:00Z",
  eventSource: "cloudtrail.amazonaws.com",
  eventName,
  awsRegion: "us-east-1",
  recipientAccountId: "111111111111",
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111111111111:user/alice" },
});

function workspace(rulesSetting: string) {
  const dir = mkdtempSync(join(tmpdir(), "tw-scan-selection-"));
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "rules/stop.yml"), rule("stop", "high", "StopLogging"));
  writeFileSync(join(dir, "rules/delete.yml"), rule("delete", "low", "DeleteTrail"));
  writeFileSync(join(dir, "rules/old.yml"), rule("old", "high", "UpdateTrail", "deprecated"));
  writeFileSync(
    join(dir, "logs.json"),
    JSON.stringify({
      Records: [record("e-1", "StopLogging"), record("e-2", "DeleteTrail"), record("e-3", "UpdateTrail")],
    }),
  );
  writeFileSync(join(dir, "config.yaml"), `${rulesSetting}\nstate: { dir: state }\noutput: { dir: out }\n`);
  return dir;
}

const ruleIds = (out: string) =>
  JSON.parse(out)
    .detections.map((d: { ruleId: string }) => d.ruleId)
    .sort();

describe("scan with the config's rule selection", () => {
  for (const workers of ["0", "1"]) {
    it(`judges records with the selected rules only (--workers ${workers})`, () => {
      const dir = workspace("rules:\n  paths: [rules]\n  select: { levels: [high] }");
      const r = scan(
        dir,
        "--config",
        "config.yaml",
        "--logs",
        "logs.json",
        "--workers",
        workers,
        "--format",
        "json",
      );
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(ruleIds(r.out), ["stop"]);
      assert.match(r.err, /old\.yml:1:1: \[old\] not loaded: status deprecated \(rules\.includeStatuses\)/);
      const report = JSON.parse(r.out);
      assert.deepEqual(report.rules.problems, []);
      assert.equal(report.rules.notes.length, 1);
      assert.match(report.rules.notes[0], /old\.yml:1:1: \[old\] not loaded: status deprecated/);
      assert.ok(validatorFor("scan-report")(report), JSON.stringify(validatorFor("scan-report").errors));
    });
  }

  it("loads a deprecated rule when includeStatuses lists it", () => {
    const dir = workspace("rules:\n  paths: [rules]\n  includeStatuses: [stable, deprecated]");
    const r = scan(
      dir,
      "--config",
      "config.yaml",
      "--logs",
      "logs.json",
      "--workers",
      "0",
      "--format",
      "json",
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ruleIds(r.out), ["delete", "old", "stop"]);
    assert.doesNotMatch(r.err, /not loaded/);
  });

  it("refuses to run when the selection leaves no rule, saying so at the rules key", () => {
    const dir = workspace("rules:\n  paths: [rules]\n  select: { ids: [nothing-like-this] }");
    const r = scan(dir, "--config", "config.yaml", "--logs", "logs.json");
    assert.equal(r.code, 2);
    assert.match(r.err, /config\.yaml:1:1: rules: no rule loaded from .* 3 left out by the selection\)/);
  });
});
