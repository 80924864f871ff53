#!/usr/bin/env node
// Writes trailwarden's demo CloudTrail logs into demo/logs/, laid out as CloudTrail delivers them to
// S3 (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz),
// plus one JSON-lines export and one deliberately truncated .json.gz.
// All data is synthetic and deterministic: run `node demo/generate-logs.mjs` and the output is
// byte-identical (zlib.gzipSync writes no timestamp into the gzip header).
// Usage: node demo/generate-logs.mjs [OUTPUT_DIR]   (default: demo/logs)
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { routineTemplates } from "./generator/activity.mjs";
import { PRODUCTION, SECURITY, principals } from "./generator/identities.mjs";
import { incidentEvents } from "./generator/incident.mjs";
import { ALNUM, createRng } from "./generator/prng.mjs";
import { cloudTrailRecord, endpointHost } from "./generator/record.mjs";

const SEED = 20261120;
const DAY = "2026-11-20";
const START = Date.parse(`${DAY}T08:00:00Z`);
const HOUR_MS = 3_600_000;
const WINDOW_MS = 20 * 60_000; // CloudTrail writes a file per region every few minutes; 20 keeps the demo small

/** Where the routine background goes, and how much of it. The last one is written as JSON lines. */
const STREAMS = [
  { account: SECURITY, region: "us-east-1", routine: 190 },
  { account: SECURITY, region: "eu-west-1", routine: 120 },
  { account: PRODUCTION, region: "us-east-1", routine: 200 },
  { account: PRODUCTION, region: "eu-central-1", routine: 90, jsonLines: true },
];

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(here, "logs");

function main() {
  const rng = createRng(SEED);
  const people = principals(rng);
  const incident = incidentEvents(rng, people, DAY);
  // remove only what an earlier run wrote, never the whole output directory
  for (const dir of ["AWSLogs", "exports"]) rmSync(join(outDir, dir), { recursive: true, force: true });
  const written = [];
  for (const stream of STREAMS) {
    const records = streamRecords(rng, people, stream, incident);
    if (stream.jsonLines) {
      const file = join(outDir, "exports", `${stream.account}_${stream.region}_${DAY}.jsonl`);
      writeFile(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
      written.push([file, records.length]);
      continue;
    }
    for (const [windowStart, batch] of byWindow(records)) {
      const delivered = new Date(windowStart + WINDOW_MS + rng.int(2, 6) * 60_000);
      const file = logFilePath(stream, delivered, rng.chars(ALNUM, 16));
      writeFile(file, gzipSync(JSON.stringify({ Records: batch })));
      written.push([file, batch.length]);
    }
  }
  written.push(writeCorruptFile(rng, people));
  let total = 0;
  for (const [file, count] of written) {
    total += count;
    console.log(`${String(count).padStart(4)}  ${relative(outDir, file)}`);
  }
  console.log(`${String(total).padStart(4)}  records in ${written.length} files`);
}

function streamRecords(rng, people, stream, incident) {
  const templates = routineTemplates(stream.account);
  const specs = [];
  for (let i = 0; i < stream.routine; i++) {
    const template = rng.weighted(templates);
    specs.push({ time: new Date(START + Math.floor(rng.next() * HOUR_MS)), spec: template(rng, people[stream.account], stream.region) });
  }
  for (const event of incident) {
    if (event.account === stream.account && event.region === stream.region) specs.push(event);
  }
  specs.sort((a, b) => a.time - b.time);
  return specs.map(({ time, spec }) =>
    cloudTrailRecord(rng, {
      ...spec,
      time,
      region: stream.region,
      account: spec.account ?? stream.account,
      host: spec.ip?.endsWith(".amazonaws.com") ? undefined : endpointHost(spec.source, stream.region),
    }),
  );
}

function byWindow(records) {
  const windows = new Map();
  for (const record of records) {
    const start = START + Math.floor((Date.parse(record.eventTime) - START) / WINDOW_MS) * WINDOW_MS;
    if (!windows.has(start)) windows.set(start, []);
    windows.get(start).push(record);
  }
  return [...windows.entries()].sort((a, b) => a[0] - b[0]);
}

function logFilePath({ account, region }, delivered, unique) {
  const iso = delivered.toISOString();
  const [yyyy, mm, dd] = iso.slice(0, 10).split("-");
  const stamp = `${yyyy}${mm}${dd}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return join(outDir, "AWSLogs", account, "CloudTrail", region, yyyy, mm, dd, `${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`);
}

/** A log file cut off mid-upload: the demo shows it reported as bad while every other file is read. */
function writeCorruptFile(rng, people) {
  const stream = { account: SECURITY, region: "eu-west-1", routine: 12 };
  const records = streamRecords(rng, people, stream, []);
  const whole = gzipSync(JSON.stringify({ Records: records }));
  const file = logFilePath(stream, new Date(START + HOUR_MS + 5 * 60_000), "CorruptTruncated");
  writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
  return [file, 0];
}

function writeFile(file, content) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

main();
