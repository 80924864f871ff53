// The product's scan path, timed end to end (`npm run bench:scan`). Prints figures; never asserts.
// One corpus (BENCH_FILES gzip files of 1,000 records, default 500 = 500k records), one run, medians of
// BENCH_RUNS (default 3) for every column, in a fresh process each, order rotated per run:
//   floor     Node gunzip + JSON.parse + touch every record, one core, no rules
//   jq        zcat FILES | jq -c '.Records[] | select(.eventName=="StopLogging")' (skipped without jq)
//   cli       `trailwarden scan --rules rules --rules <sigma> --logs DIR --workers W` for W = 0 (main
//             thread), 1 and BENCH_WORKERS (default: the available cores)
//   file://   `trailwarden scan --config` over logs.sources file://DIR (the daemon's source), fresh state
//   s3://     the same over s3:// on the test endpoint (test/endpoint, in this process)
// Rates count the whole command (start-up and rule compilation included); the start-up alone is shown.
// Peak RSS is the whole process (all threads). Then:
//   rules     1,000 generated rules against 10 on the cli path (BENCH_RULE_FILES files, default all)
//   memory    peak RSS with W workers over a quarter of the corpus and all of it, and one 50 MB file
// BENCH_ONLY=throughput|rules|memory runs one part. The corpus is cached in the temp folder by size.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, dirname as dirOf, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import type { AwsTestEndpoint } from "../test/endpoint/server.ts";
import { ctKey } from "../test/logs/support.ts";
import { startEndpoint } from "../test/support/endpoint.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const corpusRoot = join(repo, "../shared/corpus");
const samplesDir = join(corpusRoot, "cloudtrail-samples/invictus-aws-dataset");
const sigmaRules = join(corpusRoot, "sigma-cloudtrail/rules");
const shippedRules = join(repo, "rules");
const FILES = Number(process.env.BENCH_FILES ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const RULE_FILES = Number(process.env.BENCH_RULE_FILES ?? FILES);
const PER_FILE = 1000;
const ACCOUNT = "123456789012";

type Rec = Record<string, unknown>;

interface Measure {
  wallMs: number;
  rssKb: number;
  /** CPU time, user + system, all threads (for jq: both processes of the pipe). */
  cpuMs: number;
  /** What the command reported, to check every column saw the same records. */
  records?: number;
  detections?: number;
  /**
   * Of those, the correlations a one-off `--logs` scan fires when it closes the open windows at the
   * end of its input (logFile "correlation:end"); `--config` keeps those windows in its state for
   * the next run instead. Compared across paths: detections less these.
   */
  closing?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** Real CloudTrail records when the shared corpus is there; else the demo generator's. */
async function sampleRecords(): Promise<{ records: Rec[]; from: string }> {
  if (existsSync(samplesDir)) {
    const records = readdirSync(samplesDir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .flatMap((f) => JSON.parse(readFileSync(join(samplesDir, f), "utf8")).Records as Rec[]);
    return { records, from: samplesDir };
  }
  const demo = join(repo, "demo/logs");
  const records: Rec[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json.gz")) {
        try {
          records.push(...(JSON.parse(gunzipSync(readFileSync(p)).toString()).Records as Rec[]));
        } catch {
          // The demo holds one deliberately truncated file.
        }
      }
    }
  };
  walk(demo);
  return { records, from: `${demo} (the demo generator's output)` };
}

/** FILES .json.gz files of PER_FILE records: samples with fresh, seeded ids, times and IPs. */
function writeCorpus(dir: string, samples: Rec[]): string[] {
  const done = join(dir, ".complete");
  const name = (f: number) =>
    `${ACCOUNT}_CloudTrail_us-east-1_20261101T${String(f).padStart(4, "0")}Z_bench.json.gz`;
  const files = Array.from({ length: FILES }, (_, f) => join(dir, name(f)));
  if (existsSync(done)) return files;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const uuid = seededUuid(20261101);
  const base = Date.parse("2026-11-01T00:00:00Z");
  let n = 0;
  for (let f = 0; f < FILES; f++) {
    const records: Rec[] = [];
    for (let i = 0; i < PER_FILE; i++, n++) {
      const s = samples[(n * 7919) % samples.length];
      records.push({
        ...s,
        eventID: uuid(),
        eventTime: new Date(base + n * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        sourceIPAddress:
          typeof s.sourceIPAddress === "string" && /^\d/.test(s.sourceIPAddress)
            ? `198.51.${(n >> 8) & 255}.${n & 255}`
            : s.sourceIPAddress,
      });
    }
    writeFileSync(files[f], gzipSync(JSON.stringify({ Records: records })));
  }
  writeFileSync(done, "");
  return files;
}

/** Version-4-looking UUIDs from mulberry32 (as demo/generator/prng.mjs): the same corpus every time. */
function seededUuid(seed: number): () => string {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => {
    const h = [next(), next(), next(), next()].map((n) => n.toString(16).padStart(8, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}

/** Run a command; its wall time, and its peak RSS from the file the child writes at exit. */
function run(cmd: string, args: string[], opts: { env?: Record<string, string>; rssFile?: string } = {}) {
  return new Promise<{ wallMs: number; code: number | null; stderr: string }>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: repo,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...opts.env },
    });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ wallMs: performance.now() - t0, code, stderr }));
  });
}

/**
 * How the CLI is started: the built JavaScript (what `npm install` users run; built into a temp
 * folder, so the checkout's dist/ is left alone), or with BENCH_FROM=src the sources under tsx.
 */
const product = { argv: [] as string[], label: "" };

function prepareProduct(tmp: string): void {
  const rss = `process.on("exit", () => { const u = process.resourceUsage(); writeFileSync(process.env.BENCH_RSS_FILE, u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime) / 1000); });`;
  if (process.env.BENCH_FROM === "src") {
    product.argv = ["--import", "tsx", fileURLToPath(new URL("./cli-child.ts", import.meta.url))];
    product.label = "sources under tsx";
    return;
  }
  const root = join(tmp, "product");
  mkdirSync(root, { recursive: true });
  const build = spawnSync(
    process.execPath,
    [
      join(repo, "node_modules/typescript/bin/tsc"),
      "-p",
      join(repo, "tsconfig.build.json"),
      "--outDir",
      join(root, "dist"),
    ],
    { cwd: repo, encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  for (const entry of ["schema", "package.json", "node_modules", "rules"])
    symlinkSync(join(repo, entry), join(root, entry));
  const main = pathToFileURL(join(root, "dist/cli/main.js")).href;
  // A file, not -e: workers inherit the parent's execArgv, and --input-type breaks their entry.
  const child = join(root, "bench-child.mjs");
  writeFileSync(
    child,
    `import { writeFileSync } from "node:fs";\n${rss}\nawait import(${JSON.stringify(main)});\n`,
  );
  product.argv = [child];
  product.label = `built JavaScript (${join(root, "dist")})`;
}

/** The trailwarden CLI in a child that reports its own peak RSS (whole process, all threads). */
async function cli(args: string[], tmp: string, env: Record<string, string> = {}): Promise<Measure> {
  const rssFile = join(tmp, "rss");
  const out = join(tmp, "report.json");
  rmSync(out, { force: true });
  const r = await run(process.execPath, [...product.argv, ...args, "--output", out], {
    env: { ...env, BENCH_RSS_FILE: rssFile },
  });
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`trailwarden ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const report = JSON.parse(readFileSync(out, "utf8"));
  return {
    wallMs: r.wallMs,
    rssKb: Number(readFileSync(rssFile, "utf8").split(" ")[0]),
    cpuMs: Number(readFileSync(rssFile, "utf8").split(" ")[1]),
    records: report.summary.records.read,
    detections: report.summary.detections.total,
    closing: (report.detections ?? []).filter((d: { logFile?: string }) => d.logFile === "correlation:end")
      .length,
  };
}

async function floorRun(dir: string, tmp: string): Promise<Measure> {
  const rssFile = join(tmp, "rss");
  const r = await run(process.execPath, ["--input-type=module", "-e", FLOOR, dir], {
    env: { BENCH_RSS_FILE: rssFile },
  });
  if (r.code !== 0) throw new Error(`floor exited ${r.code}: ${r.stderr}`);
  const [records, rss, cpuMs] = readFileSync(rssFile, "utf8").split(" ").map(Number);
  return { wallMs: r.wallMs, rssKb: rss, cpuMs, records };
}

async function jqRun(files: string[]): Promise<Measure> {
  const script = `zcat ${files.map((f) => `'${f}'`).join(" ")} | jq -c '.Records[] | select(.eventName=="StopLogging")' > /dev/null`;
  const gnuTime = haveGnuTime();
  const r = gnuTime
    ? await run("/usr/bin/time", ["-f", "%U %S %M", "sh", "-c", script])
    : await run("sh", ["-c", script]);
  if (r.code !== 0) throw new Error(`jq exited ${r.code}: ${r.stderr}`);
  // GNU time gives the largest peak RSS among the shell's children (jq's).
  const [user, sys, rss] = gnuTime ? r.stderr.trim().split("\n").pop()!.split(" ").map(Number) : [0, 0, 0];
  return { wallMs: r.wallMs, rssKb: rss, cpuMs: (user + sys) * 1000 };
}

function haveJq(): boolean {
  return spawnSync("jq", ["--version"]).status === 0;
}

function haveGnuTime(): boolean {
  return existsSync("/usr/bin/time");
}

function configFile(tmp: string, source: string, rules: string[], aws = ""): string {
  const file = join(tmp, "config.yaml");
  rmSync(join(tmp, "state"), { recursive: true, force: true });
  rmSync(join(tmp, "out"), { recursive: true, force: true });
  writeFileSync(
    file,
    `rules: ${JSON.stringify(rules)}\nlogs:\n  sources: [${JSON.stringify(source)}]\n  lookbackHours: 48\n  workers: ${WORKERS}\nstate:\n  dir: ${JSON.stringify(join(tmp, "state"))}\noutput:\n  dir: ${JSON.stringify(join(tmp, "out"))}\nlogLevel: error\n${aws}`,
  );
  return file;
}

interface Column {
  name: string;
  run: () => Promise<Measure>;
}

async function measureColumns(columns: Column[]): Promise<Map<string, Measure[]>> {
  const results = new Map<string, Measure[]>(columns.map((c) => [c.name, []]));
  for (let r = 0; r < RUNS; r++) {
    // Rotate the order each run so load drifting during the run favours no column.
    for (let i = 0; i < columns.length; i++) {
      const c = columns[(i + r) % columns.length];
      const m = await c.run();
      results.get(c.name)!.push(m);
      console.log(
        `   run ${r + 1} ${c.name}: ${(m.wallMs / 1000).toFixed(2)} s, CPU ${(m.cpuMs / 1000).toFixed(2)} s, ${mb(m.rssKb)}${m.detections !== undefined ? `, ${fmt(m.detections)} detections` : ""} (load ${load()})`,
      );
    }
  }
  return results;
}

async function throughput(dir: string, files: string[], tmp: string, rules: string[]): Promise<void> {
  const records = files.length * PER_FILE;
  const ruleArgs = rules.flatMap((r) => ["--rules", r]);
  const columns: Column[] = [
    { name: "floor (gunzip + JSON.parse + touch, 1 core)", run: () => floorRun(dir, tmp) },
  ];
  const jq = haveJq();
  if (jq) columns.push({ name: "zcat | jq one filter", run: () => jqRun(files) });
  for (const w of [...new Set([0, 1, WORKERS])])
    columns.push({
      name: `trailwarden scan --logs, --workers ${w}`,
      run: () => cli(["scan", ...ruleArgs, "--logs", dir, "--workers", String(w)], tmp),
    });
  columns.push({
    name: `trailwarden scan --config, file:// source, ${WORKERS} workers`,
    run: () => cli(["scan", "--config", configFile(tmp, `file://${dir}`, rules)], tmp),
  });
  let ep: AwsTestEndpoint | undefined;
  try {
    ep = await startEndpoint();
    ep.world.addAccount(ACCOUNT);
    ep.world.addBucket("bench-logs", ACCOUNT);
    const key = ep.world.addUserKey(ACCOUNT);
    const at = Date.now() - 3_600_000;
    for (const [i, f] of files.entries())
      ep.world.putObject(
        "bench-logs",
        ctKey(ACCOUNT, "us-east-1", new Date(at + i * 1000), `f${String(i).padStart(6, "0")}`),
        readFileSync(f),
      );
    const aws = `aws:\n  endpoint: ${JSON.stringify(ep.url)}\n  s3ForcePathStyle: true\n  region: us-east-1\n`;
    const env = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
    columns.push({
      name: `trailwarden scan --config, s3:// source (test endpoint), ${WORKERS} workers`,
      run: () => cli(["scan", "--config", configFile(tmp, "s3://bench-logs", rules, aws)], tmp, env),
    });
    const startup = await measureColumns([
      {
        name: "start-up (scan --logs of 1 file, 1 worker)",
        run: () => cli(["scan", ...ruleArgs, "--logs", files[0], "--workers", "1"], tmp),
      },
    ]);
    console.log(
      `\n1. Throughput: ${fmt(records)} records in ${files.length} .json.gz files; load average before ${load()}`,
    );
    const results = await measureColumns(columns);
    const floorMs = results.get(columns[0].name)!;
    const floor = median(floorMs.map((m) => records / (m.wallMs / 1000)));
    const floorCpu = median(floorMs.map((m) => records / (m.cpuMs / 1000)));
    console.log(
      `\n   ${"what".padEnd(72)} ${"records/s".padStart(10)} ${"vs floor".padStart(9)} ${"peak RSS".padStart(9)} ${"rec/CPU-s".padStart(10)} ${"vs floor".padStart(9)}`,
    );
    for (const c of columns) {
      const ms = results.get(c.name)!;
      const rate = median(ms.map((m) => records / (m.wallMs / 1000)));
      const perCpu = median(ms.map((m) => records / (m.cpuMs / 1000)));
      const seen = ms[0].records;
      const check = seen !== undefined && seen !== records ? ` (read ${fmt(seen)} records!)` : "";
      console.log(
        `   ${c.name.padEnd(72)} ${fmt(rate).padStart(10)} ${(rate / floor).toFixed(2).padStart(9)} ${mb(median(ms.map((m) => m.rssKb))).padStart(9)} ${fmt(perCpu).padStart(10)} ${(perCpu / floorCpu).toFixed(2).padStart(9)}${check}`,
      );
    }
    console.log(
      "   records/s: wall clock of the whole command; rec/CPU-s: records per second of CPU time (all threads),\n   which the other load on a shared machine disturbs less",
    );
    if (!jq) console.log("   (zcat | jq skipped: jq is not installed; apt-get install -y jq)");
    else if (!haveGnuTime()) console.log("   (jq's peak RSS not measured: GNU time is not installed)");
    const s = startup.values().next().value!;
    console.log(
      `   start-up alone (1 file): ${(median(s.map((m) => m.wallMs)) / 1000).toFixed(2)} s, counted in every trailwarden rate`,
    );
    reportDetectionCounts(columns, results);
    console.log(`   load average after: ${load()}`);
  } finally {
    await ep?.stop();
  }
}

/** Each column's detection counts; a difference between runs or paths is flagged, never hidden. */
function reportDetectionCounts(columns: Column[], results: Map<string, Measure[]>): void {
  const all = new Set<number>();
  console.log("   detections per trailwarden run:");
  for (const c of columns) {
    const ms = results.get(c.name)!;
    if (ms.every((m) => m.detections === undefined)) continue;
    for (const m of ms) if (m.detections !== undefined) all.add(m.detections - (m.closing ?? 0));
    const shown = ms.map((m) =>
      m.detections === undefined
        ? "?"
        : `${fmt(m.detections)}${m.closing ? ` (${fmt(m.closing)} at the end of input)` : ""}`,
    );
    console.log(`     ${c.name}: ${shown.join(", ")}`);
  }
  if (all.size === 1)
    console.log(
      `   every run of every path found the same ${fmt([...all][0])} detections (not counting the correlations a one-off --logs scan fires when its input ends)`,
    );
  else
    console.log(
      `   !!! MISMATCH: the runs found ${all.size} different detection counts (${[...all]
        .sort((a, b) => a - b)
        .map(fmt)
        .join(", ")}): the paths did not find the same detections`,
    );
}

/** Rule variants pinned to real event names, as in bench/rules.bench.ts, written as files. */
function writeRuleFiles(dir: string, count: number, samples: Rec[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pairs = [...new Set(samples.map((s) => `${s.eventSource}|${s.eventName}`))].sort();
  for (let i = 0; i < count; i++) {
    const [source, name] = pairs[i % pairs.length].split("|");
    let detection: string;
    if (i % 100 === 99)
      detection = `selection:\n    userAgent|contains: 'scanner-${i}'\n  condition: selection`;
    else {
      const filter = [
        "userAgent|contains: 'tool-",
        "sourceIPAddress|startswith: '10.",
        "userIdentity.arn|endswith: ':user/u",
      ][i % 3];
      detection = `selection:\n    eventSource: '${source}'\n    eventName: '${name}'\n  suspicious:\n    ${filter}${i}'\n  condition: selection and suspicious`;
    }
    writeFileSync(
      join(dir, `variant-${String(i).padStart(4, "0")}.yml`),
      `title: Variant ${i}\nid: variant-${i}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  ${detection}\nlevel: low\n`,
    );
  }
}

async function ruleCount(files: string[], tmp: string, samples: Rec[]): Promise<void> {
  let subset = dirOf(files[0]);
  if (RULE_FILES < files.length) {
    subset = join(tmp, "rule-subset");
    rmSync(subset, { recursive: true, force: true });
    mkdirSync(subset);
    for (const f of files.slice(0, RULE_FILES)) writeFileSync(join(subset, basename(f)), readFileSync(f));
  }
  const ten = join(tmp, "rules-10");
  const thousand = join(tmp, "rules-1000");
  writeRuleFiles(ten, 10, samples);
  writeRuleFiles(thousand, 1000, samples);
  console.log(
    `\n2. Rule count: scan --logs of ${fmt(Math.min(RULE_FILES, files.length) * PER_FILE)} records, ${WORKERS} workers, 10 vs 1,000 generated rules (load ${load()})`,
  );
  const results = await measureColumns([
    {
      name: "10 rules",
      run: () => cli(["scan", "--rules", ten, "--logs", subset, "--workers", String(WORKERS)], tmp),
    },
    {
      name: "1,000 rules",
      run: () => cli(["scan", "--rules", thousand, "--logs", subset, "--workers", String(WORKERS)], tmp),
    },
  ]);
  const [a, b] = [...results.values()].map((ms) => median(ms.map((m) => m.wallMs)));
  console.log(
    `   median 10 rules ${(a / 1000).toFixed(2)} s, 1,000 rules ${(b / 1000).toFixed(2)} s: ratio ${(b / a).toFixed(2)} (goal <= 1.5)`,
  );
}

async function memory(dir: string, files: string[], tmp: string, rules: string[]): Promise<void> {
  const ruleArgs = rules.flatMap((r) => ["--rules", r]);
  const quarter = join(tmp, "quarter");
  rmSync(quarter, { recursive: true, force: true });
  mkdirSync(quarter);
  for (const f of files.slice(0, Math.max(1, files.length >> 2)))
    writeFileSync(join(quarter, f.split("/").pop()!), readFileSync(f));
  const big = join(tmp, "big");
  rmSync(big, { recursive: true, force: true });
  mkdirSync(big);
  // One file of about 50 MB of JSON: past the whole-file parse, so it is read as a stream.
  const records: Rec[] = [];
  let size = 0;
  for (const f of files) {
    for (const r of JSON.parse(gunzipSync(readFileSync(f)).toString()).Records as Rec[]) {
      records.push(r);
      size += JSON.stringify(r).length + 1;
    }
    if (size > 50 * 1024 * 1024) break;
  }
  writeFileSync(join(big, "big.json.gz"), gzipSync(JSON.stringify({ Records: records })));
  const bigRecords = records.length;
  records.length = 0;
  console.log(
    `\n3. Memory: peak RSS, ${WORKERS} workers: the daemon's path (scan --config, file:// source, detections to detections.jsonl),\n   and the one-off --logs report, whose detections wait in a temp file for its sorted list (load ${load()})`,
  );
  const quarterFiles = Math.max(1, files.length >> 2);
  const viaConfig = (d: string) => cli(["scan", "--config", configFile(tmp, `file://${d}`, rules)], tmp);
  const viaLogs = (d: string) => cli(["scan", ...ruleArgs, "--logs", d, "--workers", String(WORKERS)], tmp);
  const results = await measureColumns([
    { name: `scan --config, ${quarterFiles} files`, run: () => viaConfig(quarter) },
    { name: `scan --config, ${files.length} files`, run: () => viaConfig(dir) },
    {
      name: `scan --config, one ${(size / 1024 / 1024).toFixed(0)} MB file (${fmt(bigRecords)} records)`,
      run: () => viaConfig(big),
    },
    { name: `scan --logs, ${quarterFiles} files`, run: () => viaLogs(quarter) },
    { name: `scan --logs, ${files.length} files`, run: () => viaLogs(dir) },
  ]);
  for (const [name, ms] of results)
    console.log(`   ${name}: ${mb(median(ms.map((m) => m.rssKb)))} (goal <= 300 MB)`);
}

/** The floor, as plain JavaScript in its own process (no tsx): what any scan of these files pays. */
const FLOOR = `
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
const dir = process.argv[1];
let records = 0;
let check = 0;
for (const f of readdirSync(dir).filter((n) => n.endsWith(".json.gz")).sort()) {
  const list = JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString("utf8")).Records;
  for (let i = 0; i < list.length; i++) {
    const name = list[i].eventName;
    check += typeof name === "string" ? name.length : 0;
    records++;
  }
}
if (check === 0) throw new Error("no records");
const u = process.resourceUsage();
writeFileSync(process.env.BENCH_RSS_FILE, records + " " + u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime) / 1000);
`;

async function main(): Promise<void> {
  const { records: samples, from } = await sampleRecords();
  const rules = [shippedRules, ...(existsSync(sigmaRules) ? [sigmaRules] : [])];
  const tmp = join(tmpdir(), `trailwarden-bench-scan-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const dir = join(tmpdir(), `trailwarden-bench-scan-corpus-v1-${FILES}`);
  console.log(
    `node ${process.version}; ${availableParallelism()} cores; ${RUNS} runs per column, medians; load average ${load()}`,
  );
  console.log(`records from ${from}; rules: ${rules.join(", ")}`);
  try {
    const t0 = performance.now();
    const files = writeCorpus(dir, samples);
    console.log(
      `corpus: ${files.length} files in ${dir} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    prepareProduct(tmp);
    console.log(`trailwarden runs from the ${product.label}`);
    const only = process.env.BENCH_ONLY;
    if (!only || only === "throughput") await throughput(dir, files, tmp, rules);
    if (!only || only === "rules") await ruleCount(files, tmp, samples);
    if (!only || only === "memory") await memory(dir, files, tmp, rules);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
