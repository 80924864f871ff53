// aws.maxSockets: one connection pool for a whole run, assumed-role children included.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";

describe("AwsClients with aws.maxSockets", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  before(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account("100000000000").account("111111111111").account("222222222222");
  });
  after(() => ep.stop());

  it("does not cut other accounts' calls in flight when one assumed-role child is destroyed", async () => {
    const base = w.baseClients("100000000000", { maxSockets: 2, maxAttempts: 1 });
    const first = base.assumeRole("arn:aws:iam::111111111111:role/TrailwardenAudit");
    const second = base.assumeRole("arn:aws:iam::222222222222:role/TrailwardenAudit");
    await first.cloudTrail("us-east-1").send(new DescribeTrailsCommand({}));
    await second.credentials!();
    ep.faults.add({ kind: "latency", accountId: "222222222222", ms: 100 });
    const inFlight = Promise.all(
      [1, 2, 3, 4].map(() => second.cloudTrail("eu-west-1").send(new DescribeTrailsCommand({}))),
    );
    await new Promise((r) => setImmediate(r));
    first.destroy();
    const calls = await inFlight;
    assert.equal(calls.length, 4);
    assert.equal(ep.count({ operation: "DescribeTrails", accountId: "222222222222" }), 4);
    base.destroy();
  });
});
