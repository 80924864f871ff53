// The daemon as a real child process under operator signals and client pressure: SIGHUP reloads the
// rules without losing state, a failed reload keeps the old rules, SIGUSR2 does not kill it, and
// thousands of idle connections neither starve its jobs of file descriptors nor its probes.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { ctKey, logBody, record } from "../logs/support.ts";
import { DaemonProcess, daemonSetup, startDaemonWorld } from "../support/daemon-process.ts";
import { parsePrometheus, sampleValue } from "../support/prometheus.ts";
import { waitUntil } from "../support/wait.ts";

const ACCOUNT = "111111111111";
const BUCKET = "pressure-trail-logs";
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

let seq = 0;
/** A log file under `prefix` with one record per event name; returns the eventIDs. */
function putLog(prefix: string, ...names: string[]): string[] {
  const n = ++seq;
  const ids = names.map((name, i) => `evt-${n}-${i}-${name}`);
  const key = ctKey(ACCOUNT, "us-east-1", new Date(Date.now() + n * 60_000), `p${n}`, `${prefix}AWSLogs/`);
  ep.world.putObject(BUCKET, key, logBody(names.map((name, i) => record(ids[i], name))));
  return ids;
}

function detections(reports: string): { ruleId: string; eventID: string }[] {
  const file = join(reports, "detections.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function get(base: string, path: string): Promise<{ code: number; body: string }> {
  // A connection the listener drops at its limit may never report its end: bound every request.
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  return { code: res.status, body: await res.text() };
}

const DELETE_TRAIL_RULE = `title: Trail deleted (reload test)
id: 7d0c5a62-0a4b-4e6e-9d51-3c2b8f1e0a11
level: high
logsource: { product: aws, service: cloudtrail }
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: DeleteTrail
  condition: selection
`;
const STOP_ID = "3f1c2a7e-6b8d-4e25-9c1a-0d9e8f7a6b5c";
const DELETE_ID = "7d0c5a62-0a4b-4e6e-9d51-3c2b8f1e0a11";

test("SIGHUP reloads the rules without a restart or lost state; a failed reload keeps the old rules; SIGUSR2 is ignored", async () => {
  const prefix = "reload/";
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/${prefix}"]\n`);
  const d = new DaemonProcess(["--config", setup.configFile], env);
  running.push(d);
  const base = await d.statusUrl();
  const [stop1, delete1] = putLog(prefix, "StopLogging", "DeleteTrail");
  await waitUntil(() => detections(setup.reports).length === 1, "the StopLogging detection");

  // A new rule file and SIGHUP: the next scan judges new files with both rules.
  writeFileSync(join(setup.dir, "rules", "delete-trail.yml"), DELETE_TRAIL_RULE);
  d.signal("SIGHUP");
  const reloaded = await d.waitForLog(
    (l) => l.msg === "rules reloaded; the next scan uses them",
    "the reload",
  );
  assert.equal(reloaded.rules, 2);
  const [stop2, delete2] = putLog(prefix, "StopLogging", "DeleteTrail");
  await waitUntil(() => detections(setup.reports).length === 3, "both rules on the new file");
  // State survived: the first file was not read again (DeleteTrail in it stays unjudged by design).
  assert.deepEqual(
    detections(setup.reports)
      .map((x) => `${x.ruleId}/${x.eventID}`)
      .sort(),
    [`${STOP_ID}/${stop1}`, `${STOP_ID}/${stop2}`, `${DELETE_ID}/${delete2}`].sort(),
  );
  assert.ok(!detections(setup.reports).some((x) => x.eventID === delete1));

  // A broken rule file: the reload fails, the two rules stay, and /healthz and /metrics say so.
  writeFileSync(
    join(setup.dir, "rules", "broken.yml"),
    "title: broken\nid: x\ndetection:\n  condition: nothere\n",
  );
  d.signal("SIGHUP");
  const failed = await d.waitForLog(
    (l) => l.msg === "rule reload failed; the previous rules stay in use",
    "the failed reload",
  );
  assert.match(String(failed.error), /broken\.yml:\d+:\d+/);
  const health = await get(base, "/healthz");
  assert.equal(health.code, 200);
  const body = JSON.parse(health.body) as { status: string; degraded: string[] };
  assert.equal(body.status, "degraded");
  assert.match(body.degraded.join(";"), /rule reload failed at .*broken\.yml/);
  const metrics = parsePrometheus((await get(base, "/metrics")).body);
  assert.equal(sampleValue(metrics, "trailwarden_rules_reload_failing", {}), 1);
  assert.equal(sampleValue(metrics, "trailwarden_rules_reloads_total", { outcome: "failure" }), 1);
  assert.equal(sampleValue(metrics, "trailwarden_rules_loaded", {}), 2);
  const [stop3, delete3] = putLog(prefix, "StopLogging", "DeleteTrail");
  await waitUntil(() => detections(setup.reports).length === 5, "the old rules still judging new files");
  assert.ok(detections(setup.reports).some((x) => x.eventID === stop3));
  assert.ok(detections(setup.reports).some((x) => x.eventID === delete3));

  // SIGUSR2: logged and ignored.
  d.signal("SIGUSR2");
  await d.waitForLog((l) => String(l.msg).startsWith("SIGUSR2 received; ignored"), "SIGUSR2 logged");
  assert.equal((await get(base, "/healthz")).code, 200);
  assert.equal(d.exitCode, undefined, "still running");
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});

/** Open `n` idle connections in batches; each settles when connected or closed by the server. */
async function openIdle(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch = Array.from({ length: Math.min(250, n - i) }, () => {
      const s = connect(port, "127.0.0.1");
      s.on("error", () => {});
      sockets.push(s);
      return new Promise<void>((resolve) => {
        s.once("connect", () => resolve());
        s.once("close", () => resolve());
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

test("3,000 idle connections do not starve the jobs of file descriptors, and /healthz answers once they are gone", async () => {
  const prefix = "pressure/";
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/${prefix}"]\n`);
  const limits = `http: { address: "127.0.0.1:0", maxConnections: 50, headersTimeoutSeconds: 2, requestTimeoutSeconds: 4 }`;
  const text = readFileSync(setup.configFile, "utf8");
  writeFileSync(setup.configFile, text.replace(/^http: .*$/m, limits));
  // The daemon may hold 1,024 descriptors: far fewer than the idle connections.
  const d = new DaemonProcess(["--config", setup.configFile], env, { fdLimit: 1024 });
  running.push(d);
  const base = await d.statusUrl();
  await waitUntil(async () => (await get(base, "/healthz")).code === 200, "healthy before the pressure");
  const port = Number(new URL(base).port);
  const sockets = await openIdle(port, 3000);
  try {
    // While the idle clients hold (or retry) their connections, the scan still reads a new file.
    const [stop] = putLog(prefix, "StopLogging");
    await waitUntil(
      () => detections(setup.reports).some((x) => x.eventID === stop),
      "a scan during the pressure",
      60_000,
    );
    await d.waitForLog(
      (l) => String(l.msg).startsWith("status listener at its connection limit"),
      "the limit logged",
    );
  } finally {
    for (const s of sockets) s.destroy();
  }
  await waitUntil(
    async () => (await get(base, "/healthz").catch(() => ({ code: 0 }))).code === 200,
    "/healthz after",
  );
  const metrics = parsePrometheus((await get(base, "/metrics")).body);
  assert.ok(sampleValue(metrics, "trailwarden_job_runs_total", { job: "scan", outcome: "success" }) >= 1);
  assert.equal(d.exitCode, undefined, "the daemon is still running");
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});
