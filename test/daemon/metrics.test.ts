import assert from "node:assert/strict";
import { test } from "node:test";
import { DaemonMetrics } from "../../src/daemon/daemon-metrics.ts";
import { Registry } from "../../src/daemon/metrics.ts";
import { parsePrometheus, sampleValue } from "../support/prometheus.ts";

test("renders HELP and TYPE lines for every family, even before any sample", () => {
  const r = new Registry();
  r.counter("a_total", "A counter.");
  r.gauge("b", "A gauge.", ["x"]);
  const parsed = parsePrometheus(r.render());
  assert.equal(parsed.types.get("a_total"), "counter");
  assert.equal(parsed.types.get("b"), "gauge");
  assert.equal(parsed.help.get("b"), "A gauge.");
  assert.equal(parsed.samples.length, 0);
});

test("escapes backslashes, quotes and line feeds in label values so the text still parses", () => {
  const r = new Registry();
  const c = r.counter("odd_total", "Help with a \\ backslash\nand a line feed.", ["rule"]);
  const nasty = 'Rule "quoted" \\ with\nnewline';
  c.inc({ rule: nasty }, 2);
  const text = r.render();
  assert.ok(text.includes('rule="Rule \\"quoted\\" \\\\ with\\nnewline"'));
  const parsed = parsePrometheus(text);
  assert.equal(sampleValue(parsed, "odd_total", { rule: nasty }), 2);
  assert.equal(parsed.help.get("odd_total"), "Help with a \\ backslash\nand a line feed.");
});

test("renders histograms with cumulative buckets, +Inf, sum and count", () => {
  const r = new Registry();
  const h = r.histogram("d_seconds", "Durations.", ["job"], [1, 5]);
  h.observe({ job: "audit" }, 0.5);
  h.observe({ job: "audit" }, 3);
  h.observe({ job: "audit" }, 10);
  const parsed = parsePrometheus(r.render());
  assert.equal(sampleValue(parsed, "d_seconds_bucket", { job: "audit", le: "1" }), 1);
  assert.equal(sampleValue(parsed, "d_seconds_bucket", { job: "audit", le: "5" }), 2);
  assert.equal(sampleValue(parsed, "d_seconds_bucket", { job: "audit", le: "+Inf" }), 3);
  assert.equal(sampleValue(parsed, "d_seconds_sum", { job: "audit" }), 13.5);
  assert.equal(sampleValue(parsed, "d_seconds_count", { job: "audit" }), 3);
});

test("rejects a sample with a label the metric does not declare", () => {
  const r = new Registry();
  const c = r.counter("x_total", "X.", ["job"]);
  assert.throws(() => c.inc({ job: "a", other: "b" }), /unknown label other/);
});

test("counts throttled attempts that were retried separately from the call's final error", () => {
  const m = new DaemonMetrics();
  m.onCall({
    service: "cloudtrail",
    operation: "DescribeTrails",
    region: "eu-west-1",
    attempts: 3,
    durationMs: 5,
    attemptErrors: ["ThrottlingException", "ThrottlingException"],
  });
  m.onCall({
    service: "s3",
    operation: "GetBucketEncryption",
    region: "us-east-1",
    attempts: 2,
    durationMs: 5,
    errorCode: "AccessDenied",
    attemptErrors: ["SlowDown", "AccessDenied"],
  });
  const parsed = parsePrometheus(m.registry.render());
  assert.equal(sampleValue(parsed, "trailwarden_aws_throttling_retries_total", { service: "cloudtrail" }), 2);
  assert.equal(sampleValue(parsed, "trailwarden_aws_throttling_retries_total", { service: "s3" }), 1);
  assert.equal(
    sampleValue(parsed, "trailwarden_aws_errors_total", { service: "s3", code: "AccessDenied" }),
    1,
  );
  assert.equal(sampleValue(parsed, "trailwarden_aws_errors_total", { service: "cloudtrail" }), 0);
});

test("replaces the findings gauge with the latest audit's counts by check and status", () => {
  const m = new DaemonMetrics();
  m.auditFindings([
    { check: "trail-logging", status: "FAIL", accountId: "1", message: "" },
    { check: "trail-logging", status: "FAIL", accountId: "2", message: "" },
    { check: "trail-sns", status: "PASS", accountId: "1", message: "" },
  ]);
  m.auditFindings([{ check: "trail-logging", status: "PASS", accountId: "1", message: "" }]);
  const parsed = parsePrometheus(m.registry.render());
  assert.equal(
    sampleValue(parsed, "trailwarden_audit_findings", { check: "trail-logging", status: "FAIL" }),
    0,
  );
  assert.equal(
    sampleValue(parsed, "trailwarden_audit_findings", { check: "trail-logging", status: "PASS" }),
    1,
  );
  assert.equal(sampleValue(parsed, "trailwarden_audit_findings", { check: "trail-sns" }), 0);
});

test("counts in-stream log integrity from each scan's summary: verified files and digests, problems by kind", () => {
  const m = new DaemonMetrics();
  const summary = {
    files: { read: 2, failed: 0 },
    records: { read: 4 },
    detections: { total: 1 },
    errors: [],
    integrity: { verifiedFiles: 20, verifiedDigests: 10, problems: { "log-modified": 1 } },
  };
  m.scanFinished(summary);
  m.scanFinished({
    ...summary,
    integrity: { verifiedFiles: 2, verifiedDigests: 1, problems: { "log-modified": 2, gap: 1 } },
  });
  const parsed = parsePrometheus(m.registry.render());
  assert.equal(sampleValue(parsed, "trailwarden_integrity_verified_log_files_total", {}), 22);
  assert.equal(sampleValue(parsed, "trailwarden_integrity_verified_digests_total", {}), 11);
  assert.equal(sampleValue(parsed, "trailwarden_integrity_problems_total", { kind: "log-modified" }), 3);
  assert.equal(sampleValue(parsed, "trailwarden_integrity_problems_total", { kind: "gap" }), 1);
});

test("correlation events dropped are counted by reason, and the live groups shown", () => {
  const m = new DaemonMetrics();
  const base = { files: { read: 1, failed: 0 }, records: { read: 9 }, detections: { total: 0 }, errors: [] };
  const correlation = { late: 3, ungrouped: 1, groupsRefused: 5, truncated: 0, liveGroups: 40 };
  m.scanFinished({ ...base, correlation });
  m.scanFinished({ ...base, correlation: { ...correlation, late: 1, liveGroups: 12 } });
  const parsed = parsePrometheus(m.registry.render());
  assert.equal(sampleValue(parsed, "trailwarden_correlation_dropped_events_total", { reason: "late" }), 4);
  assert.equal(
    sampleValue(parsed, "trailwarden_correlation_dropped_events_total", { reason: "group_cap" }),
    10,
  );
  assert.equal(sampleValue(parsed, "trailwarden_correlation_live_groups", {}), 12);
});
