// npm run bench:ingest — ingestion figures, medians of several repetitions:
//  1. throughput and peak RSS of a scan over thousands of gzipped log files on disk (file://) and
//     from the test endpoint (s3://), each scan in a fresh child process so its peak RSS is its own;
//     two sizes, to show peak RSS does not grow with the number of files (also with V8's heap
//     capped, which separates the scan's live memory from V8's lazy collection);
//     and 16 large files (20,000 records, ~13 MB of JSON each), streamed;
//  2. ListObjectsV2 calls of a second poll over a bucket holding a year of history
//     (2 accounts × 3 regions × 365 days × 4 files a day) where only a few files are new.
// Environment: BENCH_REPS (default 3), BENCH_FILES (default 1000,4000).
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { AwsClients } from "../src/aws/clients.ts";
import { withDefaults } from "../src/config/load.ts";
import type { Config } from "../src/config/types.ts";
import { runScan } from "../src/logs/scan.ts";
import { loadRules } from "../src/rules/index.ts";
import { silentLogger } from "../src/util/logger.ts";
import { ctKey } from "../test/logs/support.ts";
import { awsConfigFor, clientsFor, startEndpoint } from "../test/support/endpoint.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const RULES = fileURLToPath(new URL("../test/fixtures/ingest-rules/", import.meta.url));
const RECORDS_PER_FILE = 50;
const ACCOUNT = "111111111111";
const HEAP_CAP_MB = 64;

interface ChildResult {
  files: number;
  records: number;
  detections: number;
  seconds: number;
  peakRssMb: number;
}

function record(n: number): Record<string, unknown> {
  return {
    eventVersion: "1.08",
    userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${ACCOUNT}:user/u${n % 17}`, accountId: ACCOUNT },
    eventTime: new Date(Date.UTC(2026, 10, 20, 0, 0, n % 86400)).toISOString(),
    eventSource: n % 50 === 0 ? "cloudtrail.amazonaws.com" : "ec2.amazonaws.com",
    eventName: n % 50 === 0 ? "StopLogging" : "DescribeInstances",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
    requestParameters: { instancesSet: { items: [{ instanceId: `i-${n.toString(16).padStart(17, "0")}` }] } },
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  };
}

function logFile(fileNo: number, records = RECORDS_PER_FILE): Buffer {
  const recs = [];
  for (let r = 0; r < records; r++) recs.push(record(fileNo * records + r));
  return gzipSync(JSON.stringify({ Records: recs }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function baseConfig(dir: string, sources: string[], extra: Partial<Config["aws"]> = {}): Config {
  const config = withDefaults({}, dir);
  config.logs.sources = sources;
  config.logs.lookbackHours = 24 * 400;
  config.aws = { ...config.aws, ...extra };
  return config;
}

/** Child mode: one scan, then print its figures as JSON. */
async function child(): Promise<void> {
  const [dir, source, endpoint, accessKeyId, secretAccessKey] = process.argv.slice(3);
  const { ruleSet } = await loadRules([RULES]);
  const config = baseConfig(dir, [source], endpoint ? { endpoint, s3ForcePathStyle: true } : {});
  const clients = endpoint
    ? new AwsClients(config.aws, async () => ({ accessKeyId, secretAccessKey }))
    : undefined;
  const t0 = performance.now();
  const summary = await runScan({
    config,
    detector: ruleSet,
    clients,
    logger: silentLogger,
    since: new Date(0),
  });
  const seconds = (performance.now() - t0) / 1000;
  const result: ChildResult = {
    files: summary.files.read,
    records: summary.records.read,
    detections: summary.detections.total,
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
  clients?.destroy();
}

function runChild(args: string[], heapMb?: number): Promise<ChildResult> {
  const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [...heap, "--import", "tsx", fileURLToPath(import.meta.url), "child", ...args],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    p.stdout.on("data", (c) => {
      out += c;
    });
    p.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

function report(label: string, runs: ChildResult[]): void {
  const r = runs[0];
  const secs = median(runs.map((x) => x.seconds));
  const rss = median(runs.map((x) => x.peakRssMb));
  console.log(
    `${label.padEnd(26)} files=${r.files} records=${r.records} detections=${r.detections}  ` +
      `median ${secs.toFixed(2)} s  ${Math.round(r.records / secs)} records/s  ${Math.round(r.files / secs)} files/s  ` +
      `peak RSS ${rss.toFixed(0)} MB  (runs: ${runs.map((x) => x.seconds.toFixed(2)).join(", ")} s)`,
  );
}

async function main(): Promise<void> {
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const sizes = (process.env.BENCH_FILES ?? "1000,4000").split(",").map(Number);
  const root = join(tmpdir(), `tw-bench-ingest-${process.pid}`);
  mkdirSync(root, { recursive: true });
  console.log(
    `ingestion benchmark: ${RECORDS_PER_FILE} records per gzipped file, ${reps} repetitions, medians`,
  );
  const ep = await startEndpoint();
  try {
    ep.world.addAccount(ACCOUNT);
    const creds = ep.world.addUserKey(ACCOUNT);
    for (const files of sizes) {
      // Disk.
      const logs = join(root, `disk-${files}`);
      mkdirSync(logs, { recursive: true });
      for (let f = 0; f < files; f++)
        writeFileSync(join(logs, `f${String(f).padStart(6, "0")}.json.gz`), logFile(f));
      const disk: ChildResult[] = [];
      for (let i = 0; i < reps; i++) {
        const dir = join(root, `run-disk-${files}-${i}`);
        disk.push(await runChild([dir, `file://${logs}`, "", "", ""]));
        rmSync(dir, { recursive: true, force: true });
      }
      report(`disk, ${files} files`, disk);
      // The same scan with V8's old space capped: the live set is small, so it still runs, and
      // peak RSS then shows what the scan needs rather than how lazily V8 collects.
      const capped: ChildResult[] = [];
      for (let i = 0; i < reps; i++) {
        const dir = join(root, `run-capped-${files}-${i}`);
        capped.push(await runChild([dir, `file://${logs}`, "", "", ""], HEAP_CAP_MB));
        rmSync(dir, { recursive: true, force: true });
      }
      report(`disk, ${files}, heap ≤${HEAP_CAP_MB}MB`, capped);
      // Test endpoint (S3 over HTTP with the real SDK).
      const bucket = `bench-${files}`;
      ep.world.addBucket(bucket, ACCOUNT);
      const start = Date.now() - files * 60_000;
      for (let f = 0; f < files; f++)
        ep.world.putObject(
          bucket,
          ctKey(ACCOUNT, "us-east-1", new Date(start + f * 60_000), `u${f}`),
          logFile(f),
        );
      const s3: ChildResult[] = [];
      for (let i = 0; i < reps; i++) {
        const dir = join(root, `run-s3-${files}-${i}`);
        s3.push(await runChild([dir, `s3://${bucket}`, ep.url, creds.accessKeyId, creds.secretAccessKey]));
        rmSync(dir, { recursive: true, force: true });
      }
      report(`s3 endpoint, ${files} files`, s3);
      ep.world.buckets.delete(bucket);
    }
    await largeFiles(root, reps);
    for (const days of [30, 365]) await listCalls(ep, root, reps, days);
  } finally {
    await ep.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Few large files (streamed, not read whole): peak RSS must not follow the files' size. */
async function largeFiles(root: string, reps: number): Promise<void> {
  const logs = join(root, "large");
  mkdirSync(logs, { recursive: true });
  for (let f = 0; f < 16; f++) writeFileSync(join(logs, `big${f}.json.gz`), logFile(f, 20_000));
  const runs: ChildResult[] = [];
  for (let i = 0; i < reps; i++) {
    const dir = join(root, `run-large-${i}`);
    runs.push(await runChild([dir, `file://${logs}`, "", "", ""]));
    rmSync(dir, { recursive: true, force: true });
  }
  report("disk, 16 files × 20k recs", runs);
}

/** List calls of a second poll over a year of history with a few new files. */
async function listCalls(
  ep: Awaited<ReturnType<typeof startEndpoint>>,
  root: string,
  reps: number,
  days: number,
): Promise<void> {
  const accounts = [ACCOUNT, "222222222222"];
  const regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
  const tiny = logFile(0, 1);
  const seconds: number[] = [];
  const calls: number[] = [];
  const firstCalls: number[] = [];
  let history = 0;
  for (let rep = 0; rep < reps; rep++) {
    const bucket = `history-${days}-${rep}`;
    ep.world.addBucket(bucket, ACCOUNT);
    const now = Date.now();
    history = 0;
    for (const a of accounts)
      for (const r of regions)
        for (let d = days; d >= 1; d--)
          for (let i = 0; i < 4; i++) {
            ep.world.putObject(
              bucket,
              ctKey(a, r, new Date(now - d * 86_400_000 + i * 6 * 3_600_000), `h${d}x${i}`),
              tiny,
            );
            history++;
          }
    const config = baseConfig(join(root, bucket), [`s3://${bucket}`], awsConfigFor(ep));
    config.logs.lookbackHours = 24;
    const clients = clientsFor(ep, ACCOUNT);
    const detector = { evaluate: () => [] };
    const firstBefore = ep.count({ operation: "ListObjectsV2" });
    await runScan({ config, detector, clients, since: new Date(now - (days + 1) * 86_400_000) });
    firstCalls.push(ep.count({ operation: "ListObjectsV2" }) - firstBefore);
    for (const a of accounts)
      ep.world.putObject(bucket, ctKey(a, "us-east-1", new Date(now - 5 * 60_000), "new"), tiny);
    const before = ep.count({ operation: "ListObjectsV2" });
    const t0 = performance.now();
    const second = await runScan({ config, detector, clients });
    seconds.push((performance.now() - t0) / 1000);
    calls.push(ep.count({ operation: "ListObjectsV2" }) - before);
    if (second.files.read !== accounts.length) throw new Error(`second poll read ${second.files.read} files`);
    ep.world.buckets.delete(bucket);
    clients.destroy();
  }
  console.log(
    `${days} days of history, ${history} keys (2 accounts × 3 regions × ${days} days × 4 files): first poll ` +
      `median ${median(firstCalls)} ListObjectsV2 calls; second poll with 2 new files: median ${median(calls)} ` +
      `ListObjectsV2 calls, ${median(seconds).toFixed(3)} s (runs: ${calls.join(", ")})`,
  );
}

if (process.argv[2] === "child") await child();
else await main();
