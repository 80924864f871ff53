// Many AWS calls in flight on one caller's AbortSignal: the signal carries one listener however many
// calls share it (Node warns at 11), and aborting it still aborts every call in flight.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { after, before, describe, it } from "node:test";
import { DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";

const A = "111111111111";
const REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"];

describe("AWS calls sharing one abort signal", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
  });
  after(() => ep.stop());

  /** 24 DescribeTrails calls across six regions, all held by the endpoint for `ms`. */
  function manyCalls(signal: AbortSignal, ms: number) {
    const fault = ep.faults.add({ service: "cloudtrail", operation: "DescribeTrails", kind: "latency", ms });
    const clients = clientsFor(ep, A, { maxAttempts: 1 });
    const calls = REGIONS.flatMap((region) =>
      Array.from({ length: 4 }, () =>
        clients.cloudTrail(region).send(new DescribeTrailsCommand({}), { abortSignal: signal }),
      ),
    );
    const done = () => {
      ep.faults.rules.splice(ep.faults.rules.indexOf(fault), 1);
      clients.destroy();
    };
    return { calls, done };
  }

  it("add one abort listener to the caller's signal, not one per call, and no warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => {
      if (/MaxListeners|listeners added/.test(`${w.name} ${w.message}`)) warnings.push(w.message);
    };
    process.on("warning", onWarning);
    const controller = new AbortController();
    const { calls, done } = manyCalls(controller.signal, 300);
    try {
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(getEventListeners(controller.signal, "abort").length, 1);
      await Promise.all(calls);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings, []);
    } finally {
      process.off("warning", onWarning);
      done();
    }
  });

  it("still abort every call in flight when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const { calls, done } = manyCalls(controller.signal, 10_000);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      controller.abort(new Error("stop"));
      const results = await Promise.allSettled(calls);
      assert.ok(results.every((r) => r.status === "rejected"));
      assert.ok(Date.now() - started < 5_000, "the calls ended at the abort, not at the latency");
    } finally {
      done();
    }
  });
});
