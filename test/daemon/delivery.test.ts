import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { atLeastLevel, backoffMs, Delivery, type DeliveryOptions } from "../../src/daemon/notify/delivery.ts";
import { snsSubject, webhookSink } from "../../src/daemon/notify/sinks.ts";
import { createLogger, silentLogger } from "../../src/util/logger.ts";
import { waitUntil } from "../support/wait.ts";
import { WebhookReceiver } from "../support/webhook.ts";

let hook: WebhookReceiver;
before(async () => {
  hook = new WebhookReceiver();
  await hook.start();
});
after(() => hook.stop());

const detection = (id: string, level = "high") =>
  JSON.stringify({ id, ruleId: "r1", ruleTitle: "Rule", level });
function setup(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "tw-delivery-"));
  const file = join(dir, "detections.jsonl");
  appendFileSync(file, lines.map((l) => `${l}\n`).join(""));
  return { dir, file };
}
const sinkCfg = (path: string) => ({ url: `${hook.url}${path}`, headersFromEnv: {}, timeoutSeconds: 5 });
/** A delivery of `file` to the receiver's /hook, at minLevel low unless `over` says otherwise. */
const hookDelivery = (file: string, stateDir: string, over: Partial<DeliveryOptions> = {}) =>
  new Delivery({
    sink: webhookSink(sinkCfg("/hook")),
    detectionsFile: file,
    stateDir,
    minLevel: "low",
    logger: silentLogger,
    ...over,
  });

test("a failing webhook is retried with backoff until it accepts, and no detection is lost", async () => {
  hook.received.length = 0;
  hook.failNext = 3;
  const { dir, file } = setup([detection("a"), detection("b"), detection("c")]);
  let failures = 0;
  const delivery = hookDelivery(file, dir, { baseBackoffMs: 10, onFailed: () => failures++ });
  delivery.kick();
  await waitUntil(() => hook.received.length === 3, "three deliveries");
  await delivery.stop();
  assert.deepEqual(hook.ids(), ["a", "b", "c"]);
  assert.equal(failures, 3);
  assert.ok(readFileSync(file, "utf8").includes('"id":"a"'), "the detection stays in detections.jsonl");
});

test("a restarted delivery resumes from its persisted cursor and sends only what is new", async () => {
  hook.received.length = 0;
  const { dir, file } = setup([detection("a"), detection("b")]);
  const first = hookDelivery(file, dir);
  first.kick();
  await first.idle();
  await first.stop();
  appendFileSync(file, `${detection("c")}\n`);
  const second = hookDelivery(file, dir);
  assert.equal(second.cursor, first.cursor);
  second.kick();
  await second.idle();
  await second.stop();
  assert.deepEqual(hook.ids(), ["a", "b", "c"]);
});

test("detections below notify.minLevel are not sent, but the cursor moves past them", async () => {
  hook.received.length = 0;
  const { dir, file } = setup([detection("low-one", "low"), detection("crit", "critical")]);
  const delivery = hookDelivery(file, dir, { minLevel: "high" });
  delivery.kick();
  await delivery.idle();
  await delivery.stop();
  assert.deepEqual(hook.ids(), ["crit"]);
  assert.equal(delivery.cursor, readFileSync(file).length);
});

test("a line still being written (no line feed yet) waits for the next kick", async () => {
  hook.received.length = 0;
  const { dir, file } = setup([detection("a")]);
  appendFileSync(file, detection("b").slice(0, 10));
  const delivery = hookDelivery(file, dir);
  delivery.kick();
  await delivery.idle();
  assert.deepEqual(hook.ids(), ["a"]);
  appendFileSync(file, `${detection("b").slice(10)}\n`);
  delivery.kick();
  await delivery.idle();
  await delivery.stop();
  assert.deepEqual(hook.ids(), ["a", "b"]);
});

test("webhook header values from the environment are sent but never logged, nor the URL's path", async () => {
  hook.received.length = 0;
  hook.failNext = 1;
  const secret = "s3cr3t-header-value-0123";
  const lines: string[] = [];
  const { dir, file } = setup([detection("a")]);
  const delivery = new Delivery({
    sink: webhookSink(
      {
        url: `${hook.url}/services/T000/B000/pathtoken987`,
        headersFromEnv: { "X-Api-Key": "TW_KEY" },
        timeoutSeconds: 5,
      },
      { TW_KEY: secret },
    ),
    detectionsFile: file,
    stateDir: dir,
    minLevel: "low",
    logger: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    baseBackoffMs: 10,
  });
  delivery.kick();
  await waitUntil(() => hook.received.length === 1, "the delivery");
  await delivery.stop();
  assert.equal(hook.received[0].headers["x-api-key"], secret);
  assert.ok(lines.length > 0, "the failure was logged");
  const log = lines.join("");
  assert.ok(!log.includes(secret));
  assert.ok(!log.includes("pathtoken987"));
});

test("a webhook header whose environment variable is unset is a clear start-up error naming the variable", () => {
  assert.throws(
    () =>
      webhookSink(
        { url: "http://127.0.0.1:1/x", headersFromEnv: { Authorization: "TW_MISSING" }, timeoutSeconds: 1 },
        {},
      ),
    /environment variable TW_MISSING is not set/,
  );
});

test("backoff doubles per failure up to its ceiling", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((n) => backoffMs(n, 1000, 5000)),
    [1000, 2000, 4000, 5000, 5000],
  );
});

test("levels compare by severity and an unknown level is delivered", () => {
  assert.equal(atLeastLevel("medium", "high"), false);
  assert.equal(atLeastLevel("CRITICAL", "high"), true);
  assert.equal(atLeastLevel("weird", "critical"), true);
});

test("SNS subjects are printable ASCII of at most 100 characters", () => {
  const s = snsSubject({ level: "high", ruleTitle: `Root login\nfrom ${"x".repeat(200)} ✓` });
  assert.ok(s.length <= 100);
  assert.match(s, /^[\x20-\x7e]+$/);
});

test("a local error (the cursor cannot be saved) is counted and retried, never thrown", async () => {
  hook.received.length = 0;
  const { dir, file } = setup([detection("a")]);
  const stateDir = join(dir, "state");
  let failures = 0;
  const delivery = hookDelivery(file, stateDir, { baseBackoffMs: 10, onFailed: () => failures++ });
  appendFileSync(stateDir, ""); // a file where the state folder should be: the cursor cannot be saved
  delivery.kick();
  await waitUntil(() => failures >= 2, "retried failures");
  await delivery.stop();
  assert.equal(delivery.cursor, 0, "the cursor did not move past an unsaved position");
});
