// npm run bench:audit — audits 200 accounts × 17 regions against the test endpoint with 50 ms added
// to every call, and compares the wall time with its lower bound:
//   lower bound = AWS calls ÷ allowed concurrency × latency
// where the allowed concurrency is the most calls the collector may have in flight at once:
//   min(aws.maxSockets, accountConcurrency × regions × concurrencyPerRegion)
// (every client of the run shares one keep-alive agent, and the endpoint is one host, so maxSockets
// caps the whole run). Environment: BENCH_ACCOUNTS, BENCH_LATENCY_MS, BENCH_RUNS, BENCH_MAX_SOCKETS,
// BENCH_ACCOUNT_CONCURRENCY, BENCH_CONCURRENCY_PER_REGION. The collector's CPU time is printed too:
// on a small machine the SDK's per-call CPU, not the allowed concurrency, can be what bounds it.
import { type ChildProcess, fork } from "node:child_process";
import { runAudit } from "../src/audit/run.ts";
import { AwsClients } from "../src/aws/clients.ts";
import { withDefaults } from "../src/config/load.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MAX_SOCKETS = Number(process.env.BENCH_MAX_SOCKETS ?? 64);
const ACCOUNT_CONCURRENCY = Number(process.env.BENCH_ACCOUNT_CONCURRENCY ?? 40);
const PER_REGION = Number(process.env.BENCH_CONCURRENCY_PER_REGION ?? 8);
const REGIONS = 17;

type Msg = { type: string; [k: string]: unknown };

function request(child: ChildProcess, type: string, reply: string): Promise<Msg> {
  return new Promise((resolve) => {
    const on = (m: Msg) => {
      if (m.type !== reply) return;
      child.off("message", on);
      resolve(m);
    };
    child.on("message", on);
    child.send({ type });
  });
}

const child = fork(new URL("./audit-world.ts", import.meta.url).pathname, [], {
  execArgv: ["--import", "tsx"],
  env: { ...process.env, BENCH_ACCOUNTS: String(ACCOUNTS), BENCH_LATENCY_MS: String(LATENCY_MS) },
});
const ready = await new Promise<Msg>((resolve) => child.once("message", (m: Msg) => resolve(m)));
const key = ready.key as { accessKeyId: string; secretAccessKey: string };
const accountIds = ready.accountIds as string[];

const config = withDefaults({}, process.cwd());
config.aws = {
  ...config.aws,
  endpoint: ready.url as string,
  s3ForcePathStyle: true,
  maxSockets: MAX_SOCKETS,
  accountConcurrency: ACCOUNT_CONCURRENCY,
  concurrencyPerRegion: PER_REGION,
};
config.accounts = accountIds.map((id) => ({ id, roleArn: `arn:aws:iam::${id}:role/TrailwardenAudit` }));
config.regions = "enabled";

const allowed = Math.min(MAX_SOCKETS, ACCOUNT_CONCURRENCY * REGIONS * PER_REGION);
console.log(
  `bench:audit  ${ACCOUNTS} accounts × ${REGIONS} regions, ${LATENCY_MS} ms per call; ` +
    `allowed concurrency = min(maxSockets ${MAX_SOCKETS}, accountConcurrency ${ACCOUNT_CONCURRENCY} × ${REGIONS} regions × concurrencyPerRegion ${PER_REGION}) = ${allowed}`,
);

const rows: { wall: number; calls: number; bound: number; ratio: number; cpuPerCall: number }[] = [];
// Run 0 warms up (module loading, JIT, connections) and is left out of the medians.
for (let run = 0; run <= RUNS; run++) {
  await request(child, "reset", "reset-done");
  const clients = new AwsClients(config.aws, async () => key);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await runAudit({ config, clients });
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clients.destroy();
  const stats = await request(child, "stats", "stats");
  const calls = stats.calls as number;
  const bound = (calls / allowed) * LATENCY_MS;
  const ratio = wall / bound;
  // The collector's CPU (SDK, our wrappers and the checks) over the HTTP requests it made.
  const cpuPerCall = cpuMs / calls;
  if (run > 0) rows.push({ wall, calls, bound, ratio, cpuPerCall });
  const errors = result.findings.filter((f) => f.status === "ERROR").length;
  console.log(
    `${run === 0 ? "warm-up" : `run ${run}`}: wall ${(wall / 1000).toFixed(2)} s, ${calls} AWS calls (${stats.failed} failed), ` +
      `lower bound ${(bound / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)}, CPU: collector ${(cpuMs / 1000).toFixed(2)} s (${cpuPerCall.toFixed(2)} ms per call), endpoint ${((stats.cpuMs as number) / 1000).toFixed(2)} s, ` +
      `${result.findings.length} findings (${errors} ERROR)`,
  );
  if (run === 0) console.log(`  calls by operation: ${JSON.stringify(stats.byOperation)}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `median of ${RUNS}: wall ${(median(rows.map((r) => r.wall)) / 1000).toFixed(2)} s, ` +
    `${median(rows.map((r) => r.calls))} calls, lower bound ${(median(rows.map((r) => r.bound)) / 1000).toFixed(2)} s, ` +
    `ratio ${median(rows.map((r) => r.ratio)).toFixed(2)}, collector CPU ${median(rows.map((r) => r.cpuPerCall)).toFixed(2)} ms per call`,
);
await request(child, "stop", "never").catch(() => undefined);
