import assert from "node:assert/strict";
import { test } from "node:test";
import { Delivery } from "../../src/daemon/notify/delivery.ts";
import { snsSink } from "../../src/daemon/notify/sinks.ts";
import { silentLogger } from "../../src/util/logger.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import { openTestStore, queue } from "../support/outbox.ts";
import { waitUntil } from "../support/wait.ts";

test("the SNS sink publishes each detection to the topic through the real SDK, retrying a failure", async () => {
  const ep = await startEndpoint();
  try {
    const arn = "arn:aws:sns:eu-west-1:111111111111:trailwarden-alerts";
    const topic = ep.world.addTopic(arn);
    const clients = clientsFor(ep, "111111111111", { maxAttempts: 1 });
    ep.faults.add({ service: "sns", operation: "Publish", kind: "server-error", times: 2 });
    const store = openTestStore();
    queue(store, [JSON.stringify({ id: "d1", level: "high", ruleId: "r", ruleTitle: "StopLogging" })]);
    const delivery = new Delivery({
      sink: snsSink(clients, arn),
      store,
      consumer: "sink:sns",
      minLevel: "low",
      logger: silentLogger,
      baseBackoffMs: 10,
    });
    delivery.kick();
    await waitUntil(() => topic.published.length === 1, "the SNS publish");
    await delivery.stop();
    assert.equal(JSON.parse(topic.published[0].message).id, "d1");
    assert.equal(topic.published[0].subject, "trailwarden high: StopLogging");
    assert.equal(ep.count({ service: "sns", operation: "Publish" }), 3);
    clients.destroy();
  } finally {
    await ep.stop();
  }
});
