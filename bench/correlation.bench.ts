// npm run bench:correlation — the cost of the shipped correlation rules on a scan: the same
// file:// scan (runScan, state store, detections.jsonl) with the shipped pack minus its correlation
// files, then with the whole pack (correlations wired as the CLI wires them). Both sides run in one
// process run, alternated, medians of BENCH_REPS (default 3). Records mix what the correlations
// count (sign-in failures, denied calls, IAM user creation) with ordinary traffic.
// Environment: BENCH_REPS (default 3), BENCH_FILES (default 200), 100 records a file,
// BENCH_RELEVANT (default 40): percent of records a correlation's base rule matches.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { withDefaults } from "../src/config/load.ts";
import { runScan } from "../src/logs/scan.ts";
import { correlatorFactory, loadRules } from "../src/rules/index.ts";

const PACK = fileURLToPath(new URL("../rules/", import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 3);
const FILES = Number(process.env.BENCH_FILES ?? 200);
const PER_FILE = 100;
const RELEVANT = Number(process.env.BENCH_RELEVANT ?? 40);

function record(n: number): Record<string, unknown> {
  const t = new Date(Date.UTC(2026, 10, 20, 0, 0, 0) + n * 500).toISOString();
  const base = {
    eventVersion: "1.08",
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    eventTime: t,
    awsRegion: "us-east-1",
    recipientAccountId: "111111111111",
    sourceIPAddress: `198.51.100.${n % 50}`,
    userIdentity: {
      type: "IAMUser",
      arn: `arn:aws:iam::111111111111:user/u${n % 40}`,
      accountId: "111111111111",
      accessKeyId: `AKIAEXAMPLE${String(n % 40).padStart(9, "0")}`,
      userName: `u${n % 40}`,
    },
  };
  // Within every 100 records, the first RELEVANT are the four correlated kinds in turn.
  const slot = n % 100;
  switch (slot < RELEVANT ? slot % 4 : -1) {
    case 0:
      return {
        ...base,
        eventSource: "signin.amazonaws.com",
        eventName: "ConsoleLogin",
        errorMessage: "Failed authentication",
        responseElements: { ConsoleLogin: "Failure" },
      };
    case 1:
      return {
        ...base,
        eventSource: "iam.amazonaws.com",
        eventName: `List${n % 13}`,
        errorCode: "AccessDenied",
      };
    case 2:
      return {
        ...base,
        eventSource: "iam.amazonaws.com",
        eventName: "CreateUser",
        requestParameters: { userName: `n${n % 97}` },
        responseElements: { user: { userName: `n${n % 97}` } },
      };
    case 3:
      return {
        ...base,
        eventSource: "iam.amazonaws.com",
        eventName: "CreateAccessKey",
        requestParameters: { userName: `n${(n - 1) % 97}` },
      };
    default:
      return { ...base, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", readOnly: true };
  }
}

function writeLogs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < FILES; f++) {
    const records = Array.from({ length: PER_FILE }, (_, i) => record(f * PER_FILE + i));
    writeFileSync(
      join(dir, `log-${String(f).padStart(5, "0")}.json.gz`),
      gzipSync(JSON.stringify({ Records: records })),
    );
  }
}

async function scanOnce(rulePaths: string[], withCorrelations: boolean, logs: string, dir: string) {
  const loaded = await loadRules(rulePaths);
  if (loaded.problems.length) throw new Error(JSON.stringify(loaded.problems));
  const config = withDefaults({}, dir);
  config.logs = { ...config.logs, sources: [`file://${logs}`], concurrency: 8 };
  const start = process.hrtime.bigint();
  const summary = await runScan({
    config,
    detector: loaded.ruleSet,
    correlator: withCorrelations
      ? correlatorFactory(loaded.correlations, config.logs.correlation)
      : undefined,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, records: summary.records.read, detections: summary.detections.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = join(tmpdir(), `tw-bench-corr-${process.pid}`);
const logs = join(root, "logs");
writeLogs(logs);
const plain = readdirSync(PACK)
  .filter(
    (f) =>
      f.endsWith(".yml") &&
      !f.includes(".tests.") &&
      !readFileSync(join(PACK, f), "utf8").includes("\ncorrelation:"),
  )
  .map((f) => join(PACK, f));
const rates: Record<string, number[]> = { without: [], with: [] };
let last: Record<string, unknown> = {};
for (let rep = 0; rep < REPS; rep++) {
  for (const side of ["without", "with"] as const) {
    const dir = join(root, `${side}-${rep}`);
    const r = await scanOnce(side === "with" ? [PACK] : plain, side === "with", logs, dir);
    rates[side].push(r.records / r.seconds);
    last = { ...last, [side]: r };
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(root, { recursive: true, force: true });
const w = median(rates.with);
const wo = median(rates.without);
console.log(
  JSON.stringify(
    {
      files: FILES,
      records: FILES * PER_FILE,
      reps: REPS,
      recordsPerSecond: { withoutCorrelations: Math.round(wo), withCorrelations: Math.round(w) },
      ratio: Number((w / wo).toFixed(3)),
      lastRun: last,
    },
    null,
    2,
  ),
);
