// npm run bench:integrity — the cost of in-stream log integrity on the s3:// source: the same
// bucket (a day of log files with signed digests, on the test endpoint) polled by the s3:// source
// with and without integrity, interleaved, each poll from a fresh state directory; medians of
// BENCH_REPS (default 5) runs of each. Integrity adds: listing CloudTrail-Digest/, one GET and one
// signature check per digest, ListPublicKeys, hashing every log file's uncompressed bytes as the
// reader inflates them, and the tracker's bookkeeping (in-memory key-value store). Wall time and
// the process's CPU time (user + system; the endpoint runs in the same process, so its share of
// the extra requests is included) are both reported: on shared, loaded cores CPU time is the
// steadier figure.
// Environment: BENCH_REPS, BENCH_HOURS (default 24), BENCH_FILES_PER_HOUR (default 40),
// BENCH_RECORDS (records per file, default 50).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { awsPublicKeys } from "../src/integrity/aws.ts";
import { PublicKeyCache } from "../src/integrity/keys.ts";
import { IntegrityTracker } from "../src/integrity/stream.ts";
import { MemoryKeyValueStore } from "../src/integrity/stream-state.ts";
import { MemoryCommitter } from "../src/logs/commit.ts";
import { S3Source } from "../src/logs/sources/s3.ts";
import type { SourceRunContext } from "../src/logs/sources/source.ts";
import { emptySummary } from "../src/logs/summary.ts";
import { loadRules } from "../src/rules/index.ts";
import { StateStore } from "../src/state/store.ts";
import { createLimiter } from "../src/util/limit.ts";
import { silentLogger } from "../src/util/logger.ts";
import { testConfig } from "../test/logs/support.ts";
import { DigestChain, signingKey } from "../test/support/digest-chain.ts";
import { clientsFor, startEndpoint } from "../test/support/endpoint.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const RULES = fileURLToPath(new URL("../test/fixtures/ingest-rules/", import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 5);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const FILES = Number(process.env.BENCH_FILES_PER_HOUR ?? 40);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 50);
const ACCOUNT = "111111111111";
const BUCKET = "bench-logs";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const ep = await startEndpoint();
  ep.world.addAccount(ACCOUNT);
  ep.world.addBucket(BUCKET, ACCOUNT);
  const key = signingKey();
  ep.world.addCloudTrailKey("us-east-1", key);
  const chain = new DigestChain({
    bucket: BUCKET,
    account: ACCOUNT,
    region: "us-east-1",
    trailName: "main",
    key,
  });
  const first = Date.now() - (HOURS + 1) * 3_600_000;
  for (let h = 0; h < HOURS; h++)
    chain.hour(new Date(first + h * 3_600_000), { files: FILES, records: RECORDS });
  chain.publishTo(ep.world);
  const { ruleSet } = await loadRules([RULES], { placeholders: {} });

  const poll = async (integrity: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), "tw-bench-integrity-"));
    const clients = clientsFor(ep, ACCOUNT);
    const config = testConfig(
      dir,
      { sources: [`s3://${BUCKET}`], lookbackHours: HOURS + 2, concurrency: 8 },
      clients.config,
    );
    const state = StateStore.open(join(dir, "state"));
    const summary = emptySummary();
    const tracker = new IntegrityTracker({
      keys: new PublicKeyCache(awsPublicKeys(clients)),
      graceMs: 2 * 3_600_000,
    });
    const ctx: SourceRunContext = {
      config,
      state,
      detector: ruleSet,
      committer: new MemoryCommitter(summary),
      summary,
      logger: silentLogger,
      limit: createLimiter(config.logs.concurrency),
      clients,
      now: new Date(),
      drain: true,
      integrity: integrity ? { tracker, kv: new MemoryKeyValueStore() } : undefined,
    };
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const source = await new S3Source(`s3://${BUCKET}`).run(ctx);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    state.close();
    clients.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (source.files.read !== HOURS * FILES) throw new Error(`read ${source.files.read} files`);
    if (integrity && tracker.counters.verifiedFiles !== HOURS * FILES)
      throw new Error("not every file verified");
    return { seconds, cpuSeconds };
  };

  await poll(false); // warm-up: JIT, connections
  await poll(true);
  const off: { seconds: number; cpuSeconds: number }[] = [];
  const on: { seconds: number; cpuSeconds: number }[] = [];
  for (let i = 0; i < REPS; i++) {
    off.push(await poll(false));
    on.push(await poll(true));
  }
  await ep.stop();
  const files = HOURS * FILES;
  const figures = (runs: { seconds: number; cpuSeconds: number }[]) => {
    const wall = median(runs.map((r) => r.seconds));
    const cpu = median(runs.map((r) => r.cpuSeconds));
    return {
      medianSeconds: +wall.toFixed(3),
      filesPerSecond: Math.round(files / wall),
      medianCpuSeconds: +cpu.toFixed(3),
      filesPerCpuSecond: Math.round(files / cpu),
      runs: runs.map((r) => [+r.seconds.toFixed(3), +r.cpuSeconds.toFixed(3)]),
    };
  };
  const a = figures(off);
  const b = figures(on);
  const cost = (x: number, y: number) => `${(((x - y) / x) * 100).toFixed(1)}%`;
  console.log(
    JSON.stringify(
      {
        corpus: { files, digests: HOURS, recordsPerFile: RECORDS },
        reps: REPS,
        withoutIntegrity: a,
        withIntegrity: b,
        throughputCostWall: cost(a.filesPerSecond, b.filesPerSecond),
        throughputCostCpu: cost(a.filesPerCpuSecond, b.filesPerCpuSecond),
        pairedWallRatioMedian: +median(on.map((r, i) => r.seconds / off[i].seconds)).toFixed(3),
      },
      null,
      2,
    ),
  );
}

await main();
