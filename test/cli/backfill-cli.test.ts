// `trailwarden scan --config --backfill --since 7d [--rule ID...]` over a file:// source, as a user runs
// it: new rules over history, only detections not emitted before, the incremental marks untouched,
// correlations over the backfilled records, and clear usage errors.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { logBody, record } from "../logs/support.ts";
import { runCli } from "../support/cli.ts";

const DAY = 86_400_000;

function scan(cwd: string, ...args: string[]) {
  return runCli(["scan", ...args], cwd);
}

const rule = (id: string, name: string, eventName: string, extra = "") => `title: ${id}
id: ${id}
name: ${name}
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ${eventName}${extra}
  condition: selection
`;

const CORRELATION = `title: Sign-in failures from one address
id: corr-fail
level: high
correlation:
  type: event_count
  rules: [console_fail]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
`;

const at = (ms: number) => ({ eventTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") });

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "tw-backfill-cli-"));
  mkdirSync(join(dir, "rules"));
  mkdirSync(join(dir, "logs"));
  writeFileSync(join(dir, "rules", "stop.yml"), rule("rule-stop", "stop_logging", "StopLogging"));
  const now = Date.now();
  const fail = (id: string, ms: number) =>
    record(id, "ConsoleLogin", {
      ...at(ms),
      errorMessage: "Failed authentication",
      sourceIPAddress: "203.0.113.5",
    });
  writeFileSync(
    join(dir, "logs", "a.json.gz"),
    logBody([record("e1", "StopLogging", at(now - 3 * DAY)), record("e2", "DeleteTrail", at(now - 3 * DAY))]),
  );
  writeFileSync(join(dir, "logs", "b.json.gz"), logBody([record("e3", "DeleteTrail", at(now - 10 * DAY))]));
  writeFileSync(
    join(dir, "logs", "c.json.gz"),
    logBody([
      fail("f1", now - 3_600_000),
      fail("f2", now - 3_590_000),
      fail("f3", now - 3_580_000),
      record("e4", "DeleteTrail", at(now - 3_500_000)),
    ]),
  );
  writeFileSync(
    join(dir, "config.yaml"),
    `rules: [rules]\nlogs:\n  sources: ["file://${join(dir, "logs")}"]\nstate: { dir: state }\noutput: { dir: out }\nlogLevel: error\n`,
  );
  return dir;
}

/** The new rules: a base rule, and a correlation over a quiet base rule. */
function addRules(dir: string) {
  writeFileSync(join(dir, "rules", "delete.yml"), rule("rule-delete", "delete_trail", "DeleteTrail"));
  writeFileSync(
    join(dir, "rules", "fail.yml"),
    `${CORRELATION}---\n${rule("rule-fail", "console_fail", "ConsoleLogin", "\n    errorMessage: Failed authentication")}`,
  );
}

const lines = (dir: string) =>
  readFileSync(join(dir, "out", "detections.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ruleId: string; eventID: string; id: string });

describe("trailwarden scan --backfill", () => {
  it("runs new rules over the history from --since, emits each detection once, and leaves the incremental marks alone", () => {
    const dir = workspace();
    const first = scan(dir, "--config", "config.yaml", "--output", "-");
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(
      lines(dir).map((d) => d.eventID),
      ["e1"],
    );
    addRules(dir);
    // The incremental scan does not read files it has done: the new rules see nothing there.
    const again = JSON.parse(scan(dir, "--config", "config.yaml", "--output", "-").out);
    assert.equal(again.summary.files.skipped, 3);
    assert.equal(again.summary.detections.total, 0);

    const b1 = scan(
      dir,
      "--config",
      "config.yaml",
      "--backfill",
      "--since",
      "7d",
      "--rule",
      "delete_trail",
      "--output",
      "-",
    );
    assert.equal(b1.code, 0, b1.err);
    assert.equal(JSON.parse(b1.out).summary.detections.total, 2);
    assert.deepEqual(
      lines(dir).map((d) => `${d.ruleId}:${d.eventID}`),
      ["rule-stop:e1", "rule-delete:e2", "rule-delete:e4"],
      "e3 is older than --since; rule-stop is not selected",
    );

    const b2 = JSON.parse(
      scan(
        dir,
        "--config",
        "config.yaml",
        "--backfill",
        "--since",
        "7d",
        "--rule",
        "delete_trail",
        "--output",
        "-",
      ).out,
    );
    assert.equal(b2.summary.detections.total, 0, "a second backfill emits nothing new");
    assert.equal(b2.summary.detections.duplicates, 2);

    const b3 = scan(dir, "--config", "config.yaml", "--backfill", "--since", "7d", "--output", "-");
    assert.equal(b3.code, 0, b3.err);
    const all = lines(dir);
    assert.deepEqual(
      all.slice(3).map((d) => d.ruleId),
      ["corr-fail"],
      "every rule: only the correlation is new (its base rule stays quiet, the rest were emitted)",
    );
    const backfilledReport = JSON.parse(b3.out);
    assert.equal(backfilledReport.summary.correlation.fired, 1);

    const latest = JSON.parse(readFileSync(join(dir, "out", "latest-scan.json"), "utf8"));
    assert.equal(latest.summary.files.skipped, 3, "latest-scan.json still describes the incremental scan");
    const after = JSON.parse(scan(dir, "--config", "config.yaml", "--output", "-").out);
    assert.equal(after.summary.files.skipped, 3, "the incremental scan's marks are as they were");
    assert.equal(after.summary.detections.total, 0);
  });

  it("refuses --backfill without --since, --rule without --backfill, and names every unknown --rule", () => {
    const dir = workspace();
    const noSince = scan(dir, "--config", "config.yaml", "--backfill");
    assert.equal(noSince.code, 2);
    assert.match(noSince.err, /--backfill needs --since/);
    const noBackfill = scan(dir, "--config", "config.yaml", "--rule", "stop_logging");
    assert.equal(noBackfill.code, 2);
    assert.match(noBackfill.err, /--rule goes with --backfill/);
    const unknown = scan(
      dir,
      "--config",
      "config.yaml",
      "--backfill",
      "--since",
      "1d",
      "--rule",
      "nope",
      "--rule",
      "stop_logging",
      "--rule",
      "nada",
    );
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--rule nope, nada: no loaded rule or correlation has this id or name/);
  });

  it("says an SQS source cannot be backfilled", () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "config.yaml"),
      `rules: [rules]\nlogs:\n  sources: ["sqs://sqs.us-east-1.amazonaws.com/111111111111/trail-events"]\nstate: { dir: state }\noutput: { dir: out }\n`,
    );
    const r = scan(dir, "--config", "config.yaml", "--backfill", "--since", "7d");
    assert.equal(r.code, 2);
    assert.match(r.err, /SQS queue holds only notifications of new log files.*cannot be backfilled/);
  });
});
