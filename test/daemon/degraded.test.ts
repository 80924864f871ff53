// What the daemon reports when rules threw on records or a rule reload failed, and --once's exit
// code when a job could not complete.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { Daemon, type JobBackends } from "../../src/daemon/daemon.ts";
import { DaemonMetrics } from "../../src/daemon/daemon-metrics.ts";
import type { AuditReportView, ScanSummaryView, Status } from "../../src/daemon/types.ts";
import { StateStore } from "../../src/state/store.ts";
import { silentLogger } from "../../src/util/logger.ts";

function config(): Config {
  const c = defaultConfig(mkdtempSync(join(tmpdir(), "tw-degraded-")));
  c.http.port = 0;
  return c;
}
const report = (...statuses: Status[]): AuditReportView => ({
  generatedAt: new Date().toISOString(),
  findings: statuses.map((status, i) => ({
    check: "trail-logging",
    status,
    accountId: "111111111111",
    resource: `t${i}`,
    message: `m${i}`,
  })),
});
const summary = (over: Partial<ScanSummaryView> = {}): ScanSummaryView => ({
  files: { read: 2, failed: 0 },
  records: { read: 3 },
  detections: { total: 0 },
  errors: [],
  evaluationErrors: {},
  ...over,
});
function backends(over: Partial<JobBackends> = {}, scan = summary()): JobBackends {
  return {
    audit: async () => report("PASS"),
    auditExitCode: (r) => (r.findings.some((f) => f.status === "FAIL") ? 1 : 0),
    scan: async () => ({ summary: scan }),
    ...over,
  };
}

test("rule evaluation errors of the last scan show in /metrics by rule id and make /healthz degraded", async () => {
  const metrics = new DaemonMetrics();
  const c = config();
  const daemon = new Daemon({
    config: c,
    backends: backends({}, summary({ evaluationErrors: { "rule-a": 2, "rule-b": 1 } })),
    logger: silentLogger,
    metrics,
  });
  await daemon.jobs.scan.trigger("test");
  assert.equal(metrics.evaluationErrors.get({ rule: "rule-a" }), 2);
  assert.equal(metrics.evaluationErrors.get({ rule: "rule-b" }), 1);
  const h = daemon.health();
  assert.equal(h.ok, true);
  assert.deepEqual(h.degraded, [
    "the last scan had 3 rule evaluation errors; by rule: rule-a (2), rule-b (1)",
  ]);
  const { port } = await daemon.listen();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; degraded: string[] };
    assert.equal(body.status, "degraded");
    assert.match(body.degraded[0], /rule-a \(2\)/);
    assert.match(
      await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
      /trailwarden_rule_evaluation_errors_total\{rule="rule-a"\} 2/,
    );
  } finally {
    await daemon.shutdown(0);
  }
});

test("a failed rule reload keeps the rules, counts the failure and makes /healthz degraded until a good reload", async () => {
  const metrics = new DaemonMetrics();
  let fail = true;
  const daemon = new Daemon({
    config: config(),
    backends: backends({
      reloadRules: async () => {
        if (fail) throw new Error("rules: no rule loaded from /etc/rules");
        return { rules: 4, files: 4 };
      },
    }),
    logger: silentLogger,
    metrics,
  });
  assert.equal(await daemon.reloadRules(), false);
  assert.match(
    daemon.health().degraded?.[0] ?? "",
    /rule reload failed at .*previous rules stay in use: rules: no rule loaded/,
  );
  assert.equal(metrics.ruleReloads.get({ outcome: "failure" }), 1);
  assert.equal(metrics.ruleReloadFailing.get(), 1);
  fail = false;
  assert.equal(await daemon.reloadRules(), true);
  assert.deepEqual(daemon.health().degraded, []);
  assert.equal(metrics.ruleReloadFailing.get(), 0);
  assert.equal(metrics.rulesLoaded.get(), 4);
});

test("--once exits 3 when the scan could not read a file, even when the audit has FAIL findings", async () => {
  const unreadable = summary({
    files: { read: 1, failed: 1 },
    errors: [{ source: "s3://b/p", file: "s3://b/p/k.json.gz", message: "download failed: AccessDenied" }],
  });
  const failAudit = { audit: async () => report("PASS", "FAIL") };
  const d = new Daemon({
    config: config(),
    backends: backends(failAudit, unreadable),
    logger: silentLogger,
    metrics: new DaemonMetrics(),
  });
  assert.equal((await d.runOnce()).code, 3);
});

test("--once exits 3 when the scan fails, even when the audit has FAIL findings", async () => {
  const failing = backends({
    audit: async () => report("FAIL"),
    scan: async () => {
      throw new Error("queue unreachable");
    },
  });
  const d = new Daemon({
    config: config(),
    backends: failing,
    logger: silentLogger,
    metrics: new DaemonMetrics(),
  });
  assert.equal((await d.runOnce()).code, 3);
});

test("--once exits 1 when both jobs completed and some finding FAILs", async () => {
  const d = new Daemon({
    config: config(),
    backends: backends({ audit: async () => report("PASS", "FAIL") }),
    logger: silentLogger,
    metrics: new DaemonMetrics(),
  });
  assert.equal((await d.runOnce()).code, 1);
});

test("files the scan could not read show by key in /healthz (degraded) and as a count in /metrics", async () => {
  const metrics = new DaemonMetrics();
  const c = config();
  const store = StateStore.open(c.state.dir);
  try {
    const key = "s3://logs/AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/f.json.gz";
    store.quarantine({ key, kind: "permanent", reason: "AccessDenied: no", at: 1, nextAt: 2 });
    const quarantine = [
      { file: key, kind: "permanent", reason: "AccessDenied: no", nextRetryAt: "2026-11-20T10:15:00Z" },
    ];
    const daemon = new Daemon({
      config: c,
      backends: backends({}, summary({ quarantine })),
      logger: silentLogger,
      metrics,
      store,
    });
    await daemon.jobs.scan.trigger("test");
    assert.equal(metrics.quarantinedFiles.get({}), 1);
    const h = daemon.health();
    assert.equal(h.ok, true);
    assert.ok(
      h.degraded?.some((d) => d.includes(key) && d.includes("AccessDenied")),
      JSON.stringify(h.degraded),
    );
  } finally {
    store.close();
  }
});
