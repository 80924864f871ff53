// Correlation rules through runScan over file://: correlation detections in detections.jsonl, base
// rules quiet unless generate: true, and window state carried in the store from one run to the next.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runScan } from "../../src/logs/scan.ts";
import { correlatorFactory, loadRules } from "../../src/rules/index.ts";
import { logBody, readDetections, record, tempDir, testConfig } from "./support.ts";

const RULES = `title: Console sign-in failures from one address
id: corr-fail
level: high
correlation:
  type: event_count
  rules: [console_fail]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition:
    gte: 3
---
title: Console sign-in failure
id: base-fail
name: console_fail
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ConsoleLogin
    errorMessage: Failed authentication
  condition: selection
level: low
`;

function failure(id: string, sec: number, ip = "203.0.113.9") {
  return record(id, "ConsoleLogin", {
    eventSource: "signin.amazonaws.com",
    errorMessage: "Failed authentication",
    sourceIPAddress: ip,
    eventTime: new Date(Date.UTC(2026, 10, 20, 10, 0, sec)).toISOString(),
  });
}

async function setup(rules = RULES) {
  const dir = tempDir("tw-corr-scan-");
  const logs = join(dir, "logs");
  mkdirSync(logs);
  writeFileSync(join(dir, "rules.yml"), rules);
  const loaded = await loadRules([join(dir, "rules.yml")]);
  assert.deepEqual(loaded.problems, []);
  const config = testConfig(dir, { sources: [`file://${logs}`], concurrency: 1 });
  const scan = () =>
    runScan({
      config,
      detector: loaded.ruleSet,
      correlator: correlatorFactory(loaded.correlations, config.logs.correlation),
    });
  const write = (name: string, records: unknown[]) => writeFileSync(join(logs, name), logBody(records));
  return { config, scan, write };
}

describe("correlations in a scan", () => {
  it("writes the correlation detection and not the base rule's own detections", async () => {
    const { config, scan, write } = await setup();
    write("a.json.gz", [failure("e1", 0), failure("e2", 10)]);
    write("b.json.gz", [failure("e3", 20), failure("e4", 30)]);
    // A window is decided once the watermark (latest eventTime − 15 min lateness) has passed it.
    write("c.json.gz", [failure("e9", 20 * 60, "192.0.2.1")]);
    const summary = await scan();
    const ds = readDetections(config);
    assert.deepEqual(
      ds.map((d) => [d.ruleId, d.eventID, d.correlation?.value, d.correlation?.eventIDs]),
      [["corr-fail", "e1", 3, ["e1", "e2", "e3"]]],
    );
    assert.deepEqual(ds[0].correlation?.groupBy, { sourceIPAddress: "203.0.113.9" });
    assert.equal(ds[0].level, "high");
    assert.equal(summary.correlation?.fired, 1);
    assert.equal(summary.detections.total, 1);
  });

  it("emits the base rule's detections too with generate: true", async () => {
    const { config, scan, write } = await setup(
      RULES.replace("  timespan: 5m", "  timespan: 5m\n  generate: true"),
    );
    write("a.json.gz", [failure("e1", 0), failure("e2", 10), failure("e3", 20)]);
    write("b.json.gz", [failure("e9", 20 * 60, "192.0.2.1")]);
    await scan();
    assert.deepEqual(
      readDetections(config)
        .map((d) => d.ruleId)
        .sort(),
      ["base-fail", "base-fail", "base-fail", "base-fail", "corr-fail"],
    );
  });

  it("keeps an open window in the store from one run to the next", async () => {
    const { config, scan, write } = await setup();
    write("a.json.gz", [failure("e1", 0), failure("e2", 10)]);
    await scan();
    assert.deepEqual(readDetections(config), []);
    write("b.json.gz", [failure("e3", 20)]);
    await scan();
    assert.deepEqual(readDetections(config), [], "the window is not final: 10:00:20 is within the lateness");
    write("c.json.gz", [failure("e9", 20 * 60, "192.0.2.1")]);
    await scan();
    assert.deepEqual(
      readDetections(config).map((d) => d.correlation?.eventIDs),
      [["e1", "e2", "e3"]],
    );
  });
});

describe("correlations in a one-off local scan", () => {
  it("decides every window at the end, when no record can still join it", async () => {
    const { scanLocal } = await import("../../src/logs/local.ts");
    const dir = tempDir("tw-corr-local-");
    mkdirSync(join(dir, "logs"));
    // Exactly two failures in the window: an upper-bound condition, decided only on final windows.
    writeFileSync(join(dir, "rules.yml"), RULES.replace("    gte: 3", "    eq: 2"));
    writeFileSync(join(dir, "logs", "a.json.gz"), logBody([failure("e1", 0), failure("e2", 10)]));
    const loaded = await loadRules([join(dir, "rules.yml")]);
    const { detections, summary } = await scanLocal({
      paths: [join(dir, "logs")],
      detector: loaded.ruleSet,
      correlator: correlatorFactory(loaded.correlations, {
        latenessMinutes: 15,
        maxGroups: 10,
        maxEventIds: 5,
      }),
    });
    assert.deepEqual(
      detections.map((d) => [d.ruleId, d.correlation?.value, d.correlation?.eventIDs]),
      [["corr-fail", 2, ["e1", "e2"]]],
    );
    assert.equal(summary.correlation?.fired, 1);
  });
});
