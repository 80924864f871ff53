// bench:state: does a scan tick cost the same after a year of history as on the first day?
//
// A tick does, against the real store (SQLite through libsql, synchronous=FULL, as the scan runs
// it): for each of 20 account × region folders, the look-back re-listing (288 keys of 5-minute
// deliveries in 24 h, each checked with isDone), one new file committed in its own transaction with
// its detections (every 10th file has two), the cursor moved; then the end-of-run pruning (marks
// below each folder's bound, marks and emitted ids past retention, outbox rows all consumers have)
// and detections.jsonl drained from the outbox.
//
// History is loaded in bulk rather than tick by tick (a year of ticks at full durability would
// take hours): `files` holds N marks of notified files kept for the 30-day retention, and
// `emitted` the ids of their detections, spread over the retention. Ticks are timed at 1k and at
// 500k marks (medians), with peak RSS and the database size.
//   BENCH_MARKS=500000 BENCH_TICKS=60 npm run bench:state
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DetectionsLog } from "../src/logs/detections-log.ts";
import { DETECTIONS_CONSUMER, StateStore } from "../src/state/store.ts";

const FOLDERS = 20;
const LOOKBACK_KEYS = 288;
const TICK_MS = 5 * 60_000;
const DAY = 86_400_000;
const BIG = Number(process.env.BENCH_MARKS ?? 500_000);
const TICKS = Number(process.env.BENCH_TICKS ?? 60);

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sampleRss, 20);

const folder = (f: number) =>
  `s3://bench-logs/AWSLogs/1111111111${String(f).padStart(2, "0")}/CloudTrail/us-east-1/`;
const keyOf = (f: number, n: number) => `${folder(f)}2026/f${String(n).padStart(9, "0")}.json.gz`;
const det = (id: string) => ({
  id,
  ruleId: "aws_cloudtrail_trail_logging_stopped",
  level: "high",
  body: JSON.stringify({
    id,
    ruleId: "aws_cloudtrail_trail_logging_stopped",
    level: "high",
    eventName: "StopLogging",
  }),
});

interface World {
  dir: string;
  store: StateStore;
  log: DetectionsLog;
  /** Files per folder so far. */
  seq: number[];
  now: number;
}

function open(): World {
  const dir = mkdtempSync(join(tmpdir(), "tw-bench-state-"));
  const store = StateStore.open(join(dir, "state"));
  const log = new DetectionsLog(join(dir, "out", "detections.jsonl"), store);
  return { dir, store, log, seq: new Array(FOLDERS).fill(0), now: Date.parse("2026-01-01T00:00:00Z") };
}

/** Bulk history: `marks` notified-file marks over the last 30 days, one detection id per 10. */
function loadHistory(w: World, marks: number): void {
  const batch = 20_000;
  for (let start = 0; start < marks; start += batch) {
    w.store.tx(() => {
      for (let i = start; i < Math.min(marks, start + batch); i++) {
        const at = w.now - Math.floor(((marks - i) / marks) * 29 * DAY);
        w.store.run("markFile", `s3://bench-logs/notified/${i}.json.gz`, "sqs://bench", at, null, null);
        if (i % 10 === 0) w.store.run("addEmitted", `hist-${i}`, at);
      }
    });
  }
  // The look-back of every folder: a day of files already done, as after a day of ticks.
  w.store.tx(() => {
    for (let f = 0; f < FOLDERS; f++) {
      for (let n = 0; n < LOOKBACK_KEYS; n++)
        w.store.run("markFile", keyOf(f, n), folder(f), w.now - (LOOKBACK_KEYS - n) * TICK_MS, null, null);
      w.seq[f] = LOOKBACK_KEYS;
    }
  });
}

/** One tick; returns its wall time and CPU time in ms. */
function tick(w: World): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let f = 0; f < FOLDERS; f++) {
    const n = w.seq[f]++;
    // The look-back re-listing: the last 288 keys, all done but the new one.
    for (let k = Math.max(0, n - LOOKBACK_KEYS); k < n; k++) w.store.isDone(keyOf(f, k));
    const key = keyOf(f, n);
    if (!w.store.isDone(key)) {
      const writer = w.store.beginFile(key, folder(f));
      if (n % 10 === 0) {
        writer.add(det(`${key}#1`));
        writer.add(det(`${key}#2`));
      }
      writer.commit({ at: w.now });
      w.log.drain(new Date(w.now));
    }
    w.store.setCursor(folder(f), key);
  }
  for (let f = 0; f < FOLDERS; f++) {
    const bound = w.seq[f] - LOOKBACK_KEYS;
    if (bound > 0) w.store.forgetFilesUpTo(folder(f), keyOf(f, bound - 1));
  }
  w.store.forgetFilesBefore(w.now - 30 * DAY, "sqs://bench");
  w.store.prune({ emittedBefore: w.now - 30 * DAY, consumers: [DETECTIONS_CONSUMER] });
  w.now += TICK_MS;
  sampleRss();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function measure(label: string, marks: number): { wall: number; cpu: number } {
  const w = open();
  loadHistory(w, marks);
  for (let i = 0; i < 5; i++) tick(w);
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < TICKS; i++) times.push(tick(w));
  const counts = w.store.counts();
  w.store.close();
  let dbBytes = 0;
  for (const f of ["state.db", "state.db-wal"]) {
    try {
      dbBytes += statSync(join(w.dir, "state", f)).size;
    } catch {
      // no WAL left
    }
  }
  rmSync(w.dir, { recursive: true, force: true });
  const wall = median(times.map((t) => t.wall));
  const cpu = median(times.map((t) => t.cpu));
  console.log(
    `${label.padEnd(14)} marks ${String(counts.files).padStart(7)}  emitted ${String(counts.emitted).padStart(7)}  tick median ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU  (${TICKS} ticks)  db ${(dbBytes / 1048576).toFixed(1)} MiB`,
  );
  return { wall, cpu };
}

console.log(
  `bench:state — ${FOLDERS} folders, 5-minute ticks, 24 h look-back (${LOOKBACK_KEYS} keys a folder)`,
);
const small = measure("1k history", 1_000);
const rssSmall = peakRss;
peakRss = 0;
const big = measure(`${BIG / 1000}k history`, BIG);
clearInterval(timer);
console.log(
  `ratio at ${BIG / 1000}k / at 1k: wall ${(big.wall / small.wall).toFixed(2)}, CPU ${(big.cpu / small.cpu).toFixed(2)} (target <= 1.2)`,
);
console.log(
  `peak RSS: ${(rssSmall / 1048576).toFixed(0)} MiB at 1k, ${(peakRss / 1048576).toFixed(0)} MiB at ${BIG / 1000}k`,
);
