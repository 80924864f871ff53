// The daemon as users run it: a child process on a schedule of a few seconds, against the test
// endpoint (real SDK over HTTP), with a local webhook receiver.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { cloudTrailState } from "../endpoint/services/cloudtrail.ts";
import { addQueue, enqueue } from "../endpoint/services/sqs.ts";
import { ctKey, logBody, record } from "../logs/support.ts";
import { DaemonProcess, daemonSetup, startDaemonWorld } from "../support/daemon-process.ts";
import { parsePrometheus, sampleValue } from "../support/prometheus.ts";
import { waitUntil } from "../support/wait.ts";
import { WebhookReceiver } from "../support/webhook.ts";

const ACCOUNT = "111111111111";
const BUCKET = "org-trail-logs";
let ep: AwsTestEndpoint;
let env: Record<string, string>;
const running: DaemonProcess[] = [];

before(async () => {
  ({ ep, env } = await startDaemonWorld(ACCOUNT, BUCKET));
});
afterEach(async () => {
  ep.faults.clear();
  for (const d of running.splice(0)) await d.kill();
});
after(() => ep.stop());

function start(configFile: string, extraEnv: Record<string, string> = {}): DaemonProcess {
  const d = new DaemonProcess(["--config", configFile], { ...env, ...extraEnv });
  running.push(d);
  return d;
}

let fileSeq = 0;
/** A new CloudTrail log file with one StopLogging record among others. */
function putStopLoggingFile(prefix = ""): { eventID: string; key: string } {
  const eventID = `evt-${++fileSeq}-${Date.now()}`;
  const at = new Date(Date.now() + fileSeq * 60_000);
  const key = ctKey(ACCOUNT, "us-east-1", at, `u${fileSeq}`, `${prefix}AWSLogs/`);
  ep.world.putObject(
    BUCKET,
    key,
    logBody([record(eventID, "StopLogging"), record(`${eventID}-benign`, "DescribeTrails")]),
  );
  return { eventID, key };
}
const putStopLogging = (prefix = "") => putStopLoggingFile(prefix).eventID;

function detections(reports: string): { id: string; eventID: string }[] {
  const file = join(reports, "detections.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const auditReports = (reports: string) =>
  existsSync(reports) ? readdirSync(reports).filter((f) => /^audit-\d{8}T\d{6}Z\.json$/.test(f)) : [];

async function status(base: string, path: string): Promise<{ code: number; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { code: res.status, body: await res.text() };
}

test("writes audit reports on every tick and appends new detections across ticks", async () => {
  const first = putStopLogging();
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/"]\n`);
  const d = start(setup.configFile);
  await waitUntil(() => detections(setup.reports).length === 1, "the first detection");
  const second = putStopLogging();
  await waitUntil(() => detections(setup.reports).length === 2, "the second detection, on a later tick");
  await waitUntil(() => auditReports(setup.reports).length >= 2, "audit reports from two ticks");
  assert.deepEqual(
    detections(setup.reports).map((x) => x.eventID),
    [first, second],
  );
  const latest = JSON.parse(readFileSync(join(setup.reports, "latest-audit.json"), "utf8"));
  const validateReport = validatorFor("report");
  assert.ok(validateReport(latest), JSON.stringify(validateReport.errors));
  await waitUntil(() => existsSync(join(setup.reports, "latest-scan.json")), "latest-scan.json");
  const scan = JSON.parse(readFileSync(join(setup.reports, "latest-scan.json"), "utf8"));
  const validateScan = validatorFor("scan-report");
  assert.ok(validateScan(scan), JSON.stringify(validateScan.errors));
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});

test("a slow run is not overlapped: the tick that comes meanwhile is skipped and counted", async () => {
  // Each audit's DescribeTrails takes 3 s while the audit is scheduled every second.
  ep.faults.add({ service: "cloudtrail", operation: "DescribeTrails", kind: "latency", ms: 3000 });
  const callsBefore = ep.calls.length;
  const describes = () =>
    ep.calls.slice(callsBefore).filter((c) => c.service === "cloudtrail" && c.operation === "DescribeTrails");
  const setup = daemonSetup(ep, "", { schedule: "* * * * * *" });
  const d = start(setup.configFile);
  const base = await d.statusUrl();
  await d.waitForLog(
    (l) => l.msg === "tick skipped: previous run still in progress" && l.job === "audit",
    "a skipped tick",
  );
  await waitUntil(() => describes().length >= 2, "a second audit");
  const metrics = parsePrometheus((await status(base, "/metrics")).body);
  assert.ok(sampleValue(metrics, "trailwarden_job_skipped_ticks_total", { job: "audit" }) >= 1);
  const starts = describes().map((c) => c.at);
  // Every DescribeTrails is held 3 s by the endpoint: a second audit starting inside that window
  // would be an overlap.
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 3000, "audits overlapped");
  d.signal("SIGTERM");
  await d.exit();
});

test("SIGTERM in the middle of a scan leaves consistent files, no partial report, and the next start resumes", async () => {
  const prefix = "resume/";
  const ids = [1, 2, 3, 4, 5, 6].map(() => putStopLogging(prefix));
  // Every log download takes 1.5 s and files are read one at a time, so the scan is mid-way when
  // the signal comes; the grace period (1 s) runs out and the download is aborted.
  ep.faults.add({ service: "s3", operation: "GetObject", kind: "latency", ms: 1500 });
  const setup = daemonSetup(
    ep,
    `logs:\n  sources: ["s3://${BUCKET}/${prefix}"]\n  concurrency: 1\nshutdownGraceSeconds: 1\n`,
    { schedule: "0 0 * * * *" },
  );
  const first = start(setup.configFile);
  await waitUntil(() => detections(setup.reports).length >= 1, "the first files' detections");
  first.signal("SIGTERM");
  assert.equal(await first.exit(), 0);
  assert.ok(first.lines.some((l) => l.msg === "grace period over; aborting runs in progress"));
  const done = detections(setup.reports);
  assert.ok(done.length < ids.length, "the scan was interrupted before the end");
  assertNoPartialFiles(setup.reports);
  assertNoPartialFiles(setup.state);
  assert.equal(
    existsSync(join(setup.reports, "latest-scan.json")),
    false,
    "no summary of an unfinished scan",
  );

  ep.faults.clear();
  const second = start(setup.configFile);
  await waitUntil(() => detections(setup.reports).length >= ids.length, "the rest of the detections");
  await waitUntil(() => existsSync(join(setup.reports, "latest-scan.json")), "the resumed scan's summary");
  second.signal("SIGTERM");
  assert.equal(await second.exit(), 0);
  const all = detections(setup.reports);
  assert.deepEqual(all.map((x) => x.eventID).sort(), [...ids].sort(), "every detection once, none twice");
  const scan = JSON.parse(readFileSync(join(setup.reports, "latest-scan.json"), "utf8"));
  assert.equal(
    scan.summary.detections.total,
    ids.length - done.length,
    "the restart read only what was left",
  );
});

function assertNoPartialFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    assert.ok(!name.endsWith(".tmp"), `leftover temp file ${name}`);
    const text = readFileSync(join(dir, name), "utf8");
    if (name.endsWith(".json")) JSON.parse(text);
    if (name.endsWith(".jsonl")) {
      assert.ok(text === "" || text.endsWith("\n"), `${name} ends mid-line`);
      for (const line of text.split("\n").filter(Boolean)) JSON.parse(line);
    }
  }
}

test("/healthz turns 503 with the reason while AWS fails, and 200 again once it recovers", async () => {
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/"]\n`);
  const d = start(setup.configFile);
  const base = await d.statusUrl();
  await waitUntil(async () => (await status(base, "/healthz")).code === 200, "healthy");
  ep.faults.add({ kind: "server-error" });
  let unhealthy = { code: 0, body: "" };
  await waitUntil(async () => {
    unhealthy = await status(base, "/healthz");
    return unhealthy.code === 503;
  }, "unhealthy");
  const reasons = (JSON.parse(unhealthy.body) as { reasons: string[] }).reasons;
  assert.ok(
    reasons.some((r) => /^(audit|scan) failed at /.test(r)),
    reasons.join("; "),
  );
  ep.faults.clear();
  await waitUntil(async () => (await status(base, "/healthz")).code === 200, "healthy again");
  const metrics = parsePrometheus((await status(base, "/metrics")).body);
  assert.ok(sampleValue(metrics, "trailwarden_aws_errors_total") > 0, "the AWS errors were counted");
  assert.ok(sampleValue(metrics, "trailwarden_job_runs_total", { outcome: "failure" }) > 0);
  d.signal("SIGTERM");
  await d.exit();
});

test("/metrics serves valid Prometheus text with runs, findings, records and detections", async () => {
  putStopLogging();
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/"]\n`);
  const d = start(setup.configFile);
  const base = await d.statusUrl();
  await waitUntil(() => existsSync(join(setup.reports, "latest-scan.json")), "a finished scan");
  await waitUntil(() => existsSync(join(setup.reports, "latest-audit.json")), "a finished audit");
  const res = await fetch(`${base}/metrics`);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const m = parsePrometheus(await res.text());
  assert.ok(sampleValue(m, "trailwarden_job_runs_total", { job: "audit", outcome: "success" }) >= 1);
  assert.ok(sampleValue(m, "trailwarden_job_duration_seconds_count", { job: "scan" }) >= 1);
  assert.ok(sampleValue(m, "trailwarden_audit_findings", { check: "trail-logging", status: "PASS" }) >= 1);
  assert.ok(sampleValue(m, "trailwarden_scan_records_total") >= 2);
  assert.ok(sampleValue(m, "trailwarden_detections_total", { level: "high" }) >= 1);
  assert.ok(sampleValue(m, "trailwarden_aws_calls_total", { service: "cloudtrail" }) >= 1);
  assert.equal(m.types.get("trailwarden_aws_throttling_retries_total"), "counter");
  d.signal("SIGTERM");
  await d.exit();
});

test("a failing webhook loses no detection: each is delivered once it recovers, secrets never logged", async () => {
  const hook = new WebhookReceiver();
  await hook.start();
  try {
    hook.down = true;
    const prefix = "hook/";
    const ids = [putStopLogging(prefix), putStopLogging(prefix), putStopLogging(prefix)];
    const secret = "hook-secret-5f7a1c";
    const setup = daemonSetup(
      ep,
      `logs:\n  sources: ["s3://${BUCKET}/${prefix}"]\nnotify:\n  minLevel: low\n  webhook:\n    url: ${hook.url}/in/tokenpath42\n    headersFromEnv: { X-Trailwarden-Token: TW_HOOK_TOKEN }\n`,
    );
    const d = start(setup.configFile, { TW_HOOK_TOKEN: secret });
    await waitUntil(() => detections(setup.reports).length === 3, "three detections on disk");
    await waitUntil(() => hook.attempts >= 2, "failed delivery attempts");
    hook.down = false;
    await waitUntil(
      () => new Set(hook.received.map((r) => r.body.detection.eventID)).size === 3,
      "all deliveries",
      45_000,
    );
    const delivered = hook.received.map((r) => r.body.detection.eventID as string);
    assert.deepEqual([...new Set(delivered)].sort(), [...ids].sort());
    assert.equal(hook.received[0].headers["x-trailwarden-token"], secret);
    d.signal("SIGTERM");
    assert.equal(await d.exit(), 0);
    assert.ok(d.lines.some((l) => l.msg === "notification failed; will retry"));
    assert.ok(!d.stderr.includes(secret), "the header value is never logged");
    assert.ok(!d.stderr.includes("tokenpath42"), "the webhook URL's path is never logged");
    assert.ok(!d.stderr.includes(env.AWS_SECRET_ACCESS_KEY), "the AWS secret key is never logged");
  } finally {
    await hook.stop();
  }
});

test("a second signal during the grace period exits at once, leaving no partial file", async () => {
  ep.faults.add({ service: "cloudtrail", operation: "DescribeTrails", kind: "latency", ms: 25_000 });
  const callsBefore = ep.calls.length;
  const setup = daemonSetup(ep, "shutdownGraceSeconds: 60\n", { schedule: "0 0 * * * *" });
  const d = start(setup.configFile);
  await waitUntil(
    () => ep.calls.slice(callsBefore).some((c) => c.operation === "DescribeTrails"),
    "an audit waiting on AWS",
  );
  d.signal("SIGTERM");
  await d.waitForLog((l) => l.msg === "shutting down", "the graceful shutdown");
  d.signal("SIGTERM");
  // Without the second signal the audit would hold the daemon for 25 s, and the grace is 60 s.
  assert.equal(await d.exit(15_000), 128 + 15);
  assert.ok(d.lines.some((l) => l.msg === "second signal; exiting at once"));
  assertNoPartialFiles(setup.reports);
  assertNoPartialFiles(setup.state);
});

test("a second daemon on the same state directory refuses to start, naming the one that runs", async () => {
  const setup = daemonSetup(ep, "", { schedule: "0 0 * * * *" });
  const d = start(setup.configFile);
  await d.statusUrl();
  const second = start(setup.configFile);
  assert.equal(await second.exit(), 2);
  assert.match(second.stderr, /state directory .* is in use by another trailwarden process/);
  assert.doesNotMatch(second.stderr, /usage:/, "a held lock is not a usage error");
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});

test("a finding that changes status between ticks is appended to events.jsonl, and so is its fix", async () => {
  const trail = [...cloudTrailState(ep.world, ACCOUNT).trails.values()][0];
  const setup = daemonSetup(ep, "");
  const d = start(setup.configFile);
  const events = () => {
    const file = join(setup.reports, "events.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; check: string; resource?: string; report: string });
  };
  try {
    await waitUntil(() => existsSync(join(setup.reports, "latest-audit.json")), "the baseline audit");
    trail.isLogging = false;
    await waitUntil(
      () => events().some((e) => e.kind === "new-fail" && e.check === "trail-logging"),
      "new-fail",
    );
    trail.isLogging = true;
    await waitUntil(() => events().some((e) => e.kind === "fixed" && e.check === "trail-logging"), "fixed");
  } finally {
    trail.isLogging = true;
  }
  const failed = events().find((e) => e.kind === "new-fail" && e.check === "trail-logging")!;
  assert.equal(failed.resource, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`);
  assert.ok(existsSync(join(setup.reports, failed.report)), "the event names the report that shows it");
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});

test("in queue mode each tick drains the SQS queue, so notifications sent later are read on later ticks", async () => {
  const queue = addQueue(ep.world, ACCOUNT, "cloudtrail-notifications");
  const notify = (prefix: string) => {
    const { eventID, key } = putStopLoggingFile(prefix);
    enqueue(queue, JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }));
    return eventID;
  };
  const first = notify("sqs/");
  const setup = daemonSetup(
    ep,
    `logs:\n  sources: ["sqs://${ep.url}/${ACCOUNT}/cloudtrail-notifications"]\n  sqs: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 10 }\n`,
  );
  const d = start(setup.configFile);
  await waitUntil(() => detections(setup.reports).length === 1, "the first notified file's detection");
  const second = notify("sqs/");
  await waitUntil(() => detections(setup.reports).length === 2, "the later notification's detection");
  assert.deepEqual(
    detections(setup.reports).map((x) => x.eventID),
    [first, second],
  );
  await waitUntil(() => queue.messages.every((m) => m.deleted), "every message deleted once processed");
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});
