import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AwsClients } from "../../src/aws/clients.ts";
import { DaemonMetrics } from "../../src/daemon/daemon-metrics.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { awsConfigFor, startEndpoint } from "../support/endpoint.ts";

let ep: AwsTestEndpoint;
before(async () => {
  ep = await startEndpoint();
  ep.world.addAccount("111111111111");
});
after(() => ep.stop());

function observedClients(metrics: DaemonMetrics, maxAttempts: number): AwsClients {
  const key = ep.world.addUserKey("111111111111");
  return new AwsClients(awsConfigFor(ep, { maxAttempts }), async () => key, metrics);
}

test("the real SDK's throttled-then-successful call counts as throttling retries and no error", async () => {
  ep.faults.clear();
  ep.faults.add({ service: "sts", kind: "throttle", times: 2 });
  const metrics = new DaemonMetrics();
  const account = await observedClients(metrics, 5).callerAccountId();
  assert.equal(account, "111111111111");
  assert.equal(metrics.throttlingRetries.get({ service: "sts" }), 2);
  assert.equal(metrics.awsRetries.get({ service: "sts", code: "Throttling" }), 2);
  assert.equal(metrics.awsCalls.get({ service: "sts" }), 1);
  assert.equal(metrics.awsErrors.get({ service: "sts", code: "Throttling" }), 0);
});

test("a call that fails after its retries counts one error by service and code", async () => {
  ep.faults.clear();
  ep.faults.add({ service: "sts", kind: "server-error" });
  const metrics = new DaemonMetrics();
  await assert.rejects(observedClients(metrics, 2).callerAccountId());
  assert.equal(metrics.awsErrors.get({ service: "sts", code: "InternalFailure" }), 1);
  assert.equal(metrics.awsRetries.get({ service: "sts", code: "InternalFailure" }), 1);
  assert.equal(metrics.throttlingRetries.get({ service: "sts" }), 0);
  ep.faults.clear();
});
