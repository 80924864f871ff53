// The benchmark's AWS: a test endpoint in its own process (so serving does not compete with the
// collector for the same event loop) holding N accounts × the 17 default regions, 50 ms per call.
// Started by bench/audit.bench.ts over IPC; prints nothing itself.
import { AwsTestEndpoint } from "../test/endpoint/server.ts";
import { AuditWorld } from "../test/support/audit-world.ts";

const accounts = Number(process.env.BENCH_ACCOUNTS ?? 200);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);

const ep = new AwsTestEndpoint({ seed: 1 });
const w = new AuditWorld(ep).account("100000000000");
for (let i = 0; i < accounts; i++) {
  const id = String(200000000000 + i);
  w.account(id, { name: `bench-${i}` });
  w.goodTrail(id);
  // Every fourth account also has a regional trail with custom selectors and no topic.
  if (i % 4 === 0)
    w.trail(id, {
      name: "regional",
      region: "eu-west-1",
      eventSelectors: [{ ReadWriteType: "WriteOnly", IncludeManagementEvents: true }],
    });
}
const key = ep.world.addUserKey("100000000000");
await ep.start();
ep.faults.latencyMs = latencyMs;

let cpuAtReset = process.cpuUsage();
process.on("message", (msg: { type: string }) => {
  if (msg.type === "reset") {
    ep.calls.length = 0;
    cpuAtReset = process.cpuUsage();
    process.send?.({ type: "reset-done" });
  } else if (msg.type === "stats") {
    const byOperation: Record<string, number> = {};
    for (const c of ep.calls)
      byOperation[`${c.service}:${c.operation}`] = (byOperation[`${c.service}:${c.operation}`] ?? 0) + 1;
    const failed = ep.calls.filter((c) => c.status >= 400).length;
    const cpu = process.cpuUsage(cpuAtReset);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    process.send?.({ type: "stats", calls: ep.calls.length, failed, byOperation, cpuMs });
  } else if (msg.type === "stop") {
    ep.stop().then(() => process.exit(0));
  }
});
process.send?.({
  type: "ready",
  url: ep.url,
  key,
  accountIds: [...ep.world.accounts.keys()].filter((id) => id !== "100000000000"),
});
