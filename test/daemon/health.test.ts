import assert from "node:assert/strict";
import { test } from "node:test";
import { assessHealth, type JobHealthInput } from "../../src/daemon/health.ts";
import type { RunRecord } from "../../src/daemon/job.ts";

const start = new Date("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(start.getTime() + s * 1000);
const run = (outcome: RunRecord["outcome"], finishedSec: number, error?: string): RunRecord => ({
  job: "scan",
  reason: "schedule",
  startedAt: at(finishedSec - 1),
  finishedAt: at(finishedSec),
  outcome,
  error,
});
const scan = (over: Partial<JobHealthInput>): JobHealthInput => ({
  name: "scan",
  intervalMs: 60_000,
  running: false,
  ...over,
});

test("is healthy while the last run succeeded within twice the schedule's interval", () => {
  const ok = run("success", 100);
  const h = assessHealth([scan({ lastRun: ok, lastSuccess: ok })], at(100 + 119), start);
  assert.equal(h.ok, true);
  assert.deepEqual(h.reasons, []);
});

test("is unhealthy when the last success is older than twice the interval", () => {
  const ok = run("success", 100);
  const h = assessHealth([scan({ lastRun: ok, lastSuccess: ok })], at(100 + 121), start);
  assert.equal(h.ok, false);
  assert.match(h.reasons[0], /^scan last succeeded at .* longer ago than 120s/);
  assert.equal(h.jobs.scan.state, "stale");
});

test("is unhealthy as soon as the last run failed, naming the error", () => {
  const ok = run("success", 100);
  const failed = run("failure", 130, "AccessDenied: no");
  const h = assessHealth([scan({ lastRun: failed, lastSuccess: ok })], at(131), start);
  assert.equal(h.ok, false);
  assert.match(h.reasons[0], /scan failed at .*: AccessDenied: no/);
});

test("is healthy again once a run after the failure succeeds", () => {
  const ok = run("success", 200);
  const h = assessHealth([scan({ lastRun: ok, lastSuccess: ok })], at(201), start);
  assert.equal(h.ok, true);
});

test("counts a job that has not run yet as pending until its window since start-up has passed", () => {
  assert.equal(assessHealth([scan({})], at(60), start).jobs.scan.state, "pending");
  assert.equal(assessHealth([scan({})], at(60), start).ok, true);
  const late = assessHealth([scan({})], at(121), start);
  assert.equal(late.ok, false);
  assert.match(late.reasons[0], /scan has not completed since start-up/);
});

test("reports every unhealthy job, not only the first", () => {
  const failedScan = run("failure", 10, "boom");
  const failedAudit: RunRecord = { ...run("failure", 10, "denied"), job: "audit" };
  const h = assessHealth(
    [
      scan({ lastRun: failedScan }),
      { name: "audit", intervalMs: 3_600_000, running: false, lastRun: failedAudit },
    ],
    at(11),
    start,
  );
  assert.equal(h.reasons.length, 2);
});
