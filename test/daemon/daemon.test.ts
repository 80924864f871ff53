import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { Daemon, type JobBackends } from "../../src/daemon/daemon.ts";
import { DaemonMetrics } from "../../src/daemon/daemon-metrics.ts";
import type { AuditReportView, ScanSummaryView, Status } from "../../src/daemon/types.ts";
import { scanRunFailure } from "../../src/daemon/verdicts.ts";
import { StateStore } from "../../src/state/store.ts";
import { silentLogger } from "../../src/util/logger.ts";

function config(): Config {
  const dir = mkdtempSync(join(tmpdir(), "tw-daemon-"));
  const c = defaultConfig(dir);
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
const summary: ScanSummaryView = {
  files: { read: 1, failed: 0 },
  records: { read: 3 },
  detections: { total: 1, byLevel: { high: 1 } },
  errors: [],
};
const exitCode = (r: AuditReportView) =>
  r.findings.some((f) => f.status === "FAIL") ? 1 : r.findings.some((f) => f.status === "ERROR") ? 3 : 0;
function backends(over: Partial<JobBackends> = {}): JobBackends {
  return {
    audit: async () => report("PASS", "FAIL"),
    auditExitCode: exitCode,
    scan: async (_signal, onDetection) => {
      onDetection({ id: "d1", ruleId: "r1", level: "high" });
      return { summary };
    },
    ...over,
  };
}
/** A daemon over its config's state store (opened here, closed when the test ends). */
function daemonFor(c: Config, b: JobBackends = backends(), metrics = new DaemonMetrics()): Daemon {
  const store = StateStore.open(c.state.dir);
  after(() => store.close());
  return new Daemon({ config: c, backends: b, logger: silentLogger, metrics, store });
}
const waitAbort = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

test("--once writes the audit report and latest-scan.json and returns the audit's exit code", async () => {
  const c = config();
  const metrics = new DaemonMetrics();
  const { code } = await daemonFor(c, backends(), metrics).runOnce();
  assert.equal(code, 1);
  const files = readdirSync(c.output.dir).sort();
  assert.ok(files.some((f) => /^audit-\d{8}T\d{6}Z\.json$/.test(f)));
  assert.ok(files.includes("latest-audit.json"));
  assert.equal(
    JSON.parse(readFileSync(join(c.output.dir, "latest-scan.json"), "utf8")).summary.records.read,
    3,
  );
  assert.equal(metrics.detections.get({ rule: "r1", level: "high" }), 1);
  assert.equal(metrics.runs.get({ job: "audit", outcome: "success" }), 1);
});

test("--once exits 3 when the audit could not run at all", async () => {
  const failing = backends({
    audit: async () => {
      throw new Error("no credentials");
    },
  });
  const { code } = await daemonFor(config(), failing).runOnce();
  assert.equal(code, 3);
});

test("--once exits 3 when the audit passed but the scan failed", async () => {
  const failing = backends({
    audit: async () => report("PASS"),
    scan: async () => {
      throw new Error("rules folder missing");
    },
  });
  const { code } = await daemonFor(config(), failing).runOnce();
  assert.equal(code, 3);
});

test("an audit whose every finding is ERROR writes its report but counts as a failed run", async () => {
  const c = config();
  const daemon = daemonFor(c, backends({ audit: async () => report("ERROR", "ERROR") }));
  const run = await daemon.jobs.audit.trigger("test");
  assert.equal(run?.outcome, "failure");
  assert.match(run?.error ?? "", /every finding is ERROR/);
  assert.ok(existsSync(join(c.output.dir, "latest-audit.json")));
  assert.equal(daemon.health().ok, false);
});

test("shutdown lets a run in progress finish within the grace period", async () => {
  const c = config();
  let release!: () => void;
  const slow = backends({
    audit: () =>
      new Promise((resolve) => {
        release = () => resolve(report("PASS"));
      }),
  });
  const daemon = daemonFor(c, slow);
  void daemon.jobs.audit.trigger("test");
  const stopping = daemon.shutdown(10);
  setTimeout(() => release(), 50);
  await stopping;
  assert.equal(daemon.jobs.audit.lastRun?.outcome, "success");
  assert.ok(existsSync(join(c.output.dir, "latest-audit.json")));
});

test("past the grace period the run is aborted through its signal and writes no report", async () => {
  const c = config();
  const store = StateStore.open(c.state.dir);
  after(() => store.close());
  const daemon = new Daemon({
    config: c,
    backends: backends({ audit: (signal) => waitAbort(signal) }),
    logger: silentLogger,
    metrics: new DaemonMetrics(),
    store,
  });
  void daemon.jobs.audit.trigger("test");
  await daemon.shutdown(0.05);
  assert.equal(daemon.jobs.audit.lastRun?.outcome, "aborted");
  assert.deepEqual(existsSync(c.output.dir) ? readdirSync(c.output.dir) : [], []);
  const saved = store.kvGet<{ jobs: { audit: { lastRun: { outcome: string } } } }>("daemon", "runs");
  assert.equal(saved?.jobs.audit.lastRun.outcome, "aborted");
});

test("a restarted daemon remembers the last successes, so health does not start from nothing", async () => {
  const c = config();
  const open = () => StateStore.open(c.state.dir);
  const daemon = (store: StateStore) =>
    new Daemon({
      config: c,
      backends: backends(),
      logger: silentLogger,
      metrics: new DaemonMetrics(),
      store,
    });
  const firstStore = open();
  const first = daemon(firstStore);
  await first.runOnce();
  firstStore.close();
  const secondStore = open();
  after(() => secondStore.close());
  const second = daemon(secondStore);
  assert.equal(
    second.jobs.audit.lastSuccess?.finishedAt.toISOString(),
    first.jobs.audit.lastSuccess?.finishedAt.toISOString(),
  );
  assert.equal(second.health().jobs.audit.state, "ok");
});

test("a scan whose log source could not be read at all counts as a failed run", () => {
  const failed = scanRunFailure({
    ...summary,
    errors: [{ source: "s3://logs/", message: "AccessDenied: no" }],
  });
  assert.equal(failed, "log source s3://logs/ failed: AccessDenied: no");
});

test("a bad log file alone does not fail the scan", () => {
  const bad = {
    ...summary,
    errors: [{ source: "s3://logs/", file: "s3://logs/a.json.gz", message: "corrupt gzip" }],
  };
  assert.equal(scanRunFailure(bad), undefined);
});

test("start() runs each job at once unless schedule.runOnStart is false", async () => {
  for (const runOnStart of [true, false]) {
    const c = config();
    c.schedule = { ...c.schedule, audit: "0 0 1 1 *", scan: "0 0 1 1 *", runOnStart };
    const daemon = daemonFor(c);
    daemon.start();
    assert.equal(daemon.jobs.audit.running, runOnStart);
    assert.equal(daemon.jobs.scan.running, runOnStart);
    await daemon.shutdown(5);
  }
});
