import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { atLeastLevel, backoffMs, Delivery, type DeliveryOptions } from "../../src/daemon/notify/delivery.ts";
import { snsSubject, webhookSink } from "../../src/daemon/notify/sinks.ts";
import type { StateStore } from "../../src/state/store.ts";
import { createLogger, silentLogger } from "../../src/util/logger.ts";
import { openTestStore, queue } from "../support/outbox.ts";
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
  const store = openTestStore();
  queue(store, lines);
  return { store };
}
const sinkCfg = (path: string) => ({ url: `${hook.url}${path}`, headersFromEnv: {}, timeoutSeconds: 5 });
/** A delivery of `file` to the receiver's /hook, at minLevel low unless `over` says otherwise. */
const hookDelivery = (store: StateStore, over: Partial<DeliveryOptions> = {}) =>
  new Delivery({
    sink: webhookSink(sinkCfg("/hook")),
    store,
    consumer: "sink:webhook",
    minLevel: "low",
    logger: silentLogger,
    ...over,
  });

test("a failing webhook is retried with backoff until it accepts, and no detection is lost", async () => {
  hook.received.length = 0;
  hook.failNext = 3;
  const { store } = setup([detection("a"), detection("b"), detection("c")]);
  let failures = 0;
  const delivery = hookDelivery(store, { baseBackoffMs: 10, onFailed: () => failures++ });
  delivery.kick();
  await waitUntil(() => hook.received.length === 3, "three deliveries");
  await delivery.stop();
  assert.deepEqual(hook.ids(), ["a", "b", "c"]);
  assert.equal(failures, 3);
  assert.equal(store.outboxAfter(0, 10).length, 3, "the detections stay in the outbox for other consumers");
});

test("a restarted delivery resumes from its persisted cursor and sends only what is new", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("a"), detection("b")]);
  const first = hookDelivery(store);
  first.kick();
  await first.idle();
  await first.stop();
  queue(store, [detection("c")]);
  const second = hookDelivery(store);
  assert.equal(second.cursor, first.cursor);
  second.kick();
  await second.idle();
  await second.stop();
  assert.deepEqual(hook.ids(), ["a", "b", "c"]);
});

test("detections below notify.minLevel are not sent, but the cursor moves past them", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("low-one", "low"), detection("crit", "critical")]);
  const delivery = hookDelivery(store, { minLevel: "high" });
  delivery.kick();
  await delivery.idle();
  await delivery.stop();
  assert.deepEqual(hook.ids(), ["crit"]);
  assert.equal(delivery.cursor, store.outboxHead());
});

test("a detection committed after a delivery ran is sent at the next kick", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("a")]);
  const delivery = hookDelivery(store);
  delivery.kick();
  await delivery.idle();
  assert.deepEqual(hook.ids(), ["a"]);
  queue(store, [detection("b")]);
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
  const { store } = setup([detection("a")]);
  const delivery = new Delivery({
    sink: webhookSink(
      {
        url: `${hook.url}/services/T000/B000/pathtoken987`,
        headersFromEnv: { "X-Api-Key": "TW_KEY" },
        timeoutSeconds: 5,
      },
      { TW_KEY: secret },
    ),
    store,
    consumer: "sink:webhook",
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

test("a local error (the store cannot be read) is counted and retried, never thrown", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("a")]);
  let failures = 0;
  const delivery = hookDelivery(store, { baseBackoffMs: 10, onFailed: () => failures++ });
  store.close(); // the position can no longer be read or saved
  delivery.kick();
  await waitUntil(() => failures >= 2, "retried failures");
  await delivery.stop();
  assert.equal(hook.received.length, 0, "nothing was sent without a position to move");
});

test("a webhook with batchSize sends several detections in one request, in outbox order", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("a"), detection("b"), detection("c"), detection("d")]);
  const delivery = new Delivery({
    sink: webhookSink({ ...sinkCfg("/hook"), batchSize: 3 }),
    store,
    consumer: "sink:webhook",
    minLevel: "low",
    logger: silentLogger,
    batch: { size: 3, delayMs: 0 },
  });
  delivery.kick();
  await waitUntil(() => hook.received.length === 2, "two requests");
  await delivery.stop();
  const bodies = hook.received.map(
    (r) => r.body as unknown as { detections?: { id: string }[]; detection?: { id: string } },
  );
  assert.deepEqual(
    bodies[0].detections?.map((d) => d.id),
    ["a", "b", "c"],
  );
  assert.equal(bodies[1].detection?.id, "d");
  assert.equal(delivery.cursor, store.outboxHead());
});

test("a short batch waits for batchDelay, then goes out anyway", async () => {
  hook.received.length = 0;
  const { store } = setup([detection("a")]);
  const delivery = new Delivery({
    sink: webhookSink({ ...sinkCfg("/hook"), batchSize: 10 }),
    store,
    consumer: "sink:webhook",
    minLevel: "low",
    logger: silentLogger,
    batch: { size: 10, delayMs: 400 },
  });
  delivery.kick();
  await delivery.idle();
  assert.equal(hook.received.length, 0, "the batch is not full and its delay is not over");
  queue(store, [detection("b")]);
  await waitUntil(() => hook.received.length === 1, "the delayed batch");
  await delivery.stop();
  const body = hook.received[0].body as unknown as { detections: { id: string }[] };
  assert.deepEqual(
    body.detections.map((d) => d.id),
    ["a", "b"],
  );
});
