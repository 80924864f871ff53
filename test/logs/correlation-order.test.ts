// The same records, cut into files differently, listed in different orders, read with different
// concurrency and on worker threads, give the same correlation detections (ids included): windows
// are decided in eventTime order behind the watermark, not in the order files commit.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startScanWorkers } from "../../src/daemon/scan-workers.ts";
import type { Detection } from "../../src/logs/detection.ts";
import { scanLocal } from "../../src/logs/local.ts";
import { runScan } from "../../src/logs/scan.ts";
import type { ScanWorkerPool } from "../../src/logs/workers/pool.ts";
import { correlatorFactory, type LoadedRules, loadRules } from "../../src/rules/index.ts";
import { logBody, readDetections, record, tempDir, testConfig } from "./support.ts";

const RULES = `title: Failures by address
id: c-count
level: high
correlation:
  type: event_count
  rules: [fail]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition: {gte: 4}
---
title: Addresses per user
id: c-values
level: medium
correlation:
  type: value_count
  rules: [fail]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {field: sourceIPAddress, gte: 3}
---
title: Exactly two failures
id: c-exact
level: low
correlation:
  type: event_count
  rules: [fail]
  group-by: [userIdentity.arn, sourceIPAddress]
  timespan: 3m
  condition: {eq: 2}
---
title: Failure then success
id: c-ordered
level: high
correlation:
  type: temporal_ordered
  rules: [fail, ok]
  group-by: [sourceIPAddress]
  timespan: 10m
---
title: Failure
id: b-fail
name: fail
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
  condition: selection
---
title: Success
id: b-ok
name: ok
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}
  condition: selection
`;

/** mulberry32: the same records on every run of the test. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2026, 10, 20, 10, 0, 0);
const CHUNK_MS = 10 * 60_000; // records of one file lie within 10 minutes: less than the lateness

/** 2,400 sign-ins over 4 hours from 12 addresses and 5 users, a fifth of them successes. */
function records(): Record<string, unknown>[] {
  const rnd = prng(13);
  const out = [];
  for (let i = 0; i < 2400; i++) {
    const ok = rnd() < 0.2;
    out.push(
      record(`ev-${String(i).padStart(5, "0")}`, "ConsoleLogin", {
        eventSource: "signin.amazonaws.com",
        eventTime: new Date(START + Math.floor(rnd() * 4 * 3_600_000)).toISOString(),
        sourceIPAddress: `203.0.113.${Math.floor(rnd() * 12)}`,
        userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111111111111:user/u${Math.floor(rnd() * 5)}` },
        ...(ok
          ? { responseElements: { ConsoleLogin: "Success" } }
          : { errorMessage: "Failed authentication" }),
      }),
    );
  }
  return out;
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * A folder of the records: by 10-minute chunk (listed in time order), each chunk cut into `parts`
 * files in a shuffled order; `seed` 0 keeps every file's records sorted.
 */
function layout(all: Record<string, unknown>[], parts: number, seed: number): string {
  const dir = join(tempDir("tw-corr-order-"), "logs");
  mkdirSync(dir);
  const rnd = prng(seed + 1);
  const chunks = new Map<number, Record<string, unknown>[]>();
  for (const r of all) {
    const c = Math.floor((Date.parse(String(r.eventTime)) - START) / CHUNK_MS);
    chunks.set(c, [...(chunks.get(c) ?? []), r]);
  }
  for (const [c, rs] of chunks) {
    const ordered =
      seed === 0
        ? [...rs].sort((a, b) => (String(a.eventTime) < String(b.eventTime) ? -1 : 1))
        : shuffle(rs, rnd);
    for (let p = 0; p < parts; p++) {
      const part = ordered.filter((_, i) => i % parts === p);
      writeFileSync(join(dir, `${String(c).padStart(3, "0")}-${p}.json.gz`), logBody(part));
    }
  }
  return dir;
}

const describeDetections = (ds: Detection[]) =>
  ds
    .filter((d) => d.correlation)
    .map((d) => JSON.stringify([d.id, d.ruleId, d.correlation]))
    .sort();

describe("correlation detections and file order", () => {
  let loaded: LoadedRules;
  let pool: ScanWorkerPool;
  let dir: string;
  const all = records();
  before(async () => {
    dir = tempDir("tw-corr-order-rules-");
    writeFileSync(join(dir, "rules.yml"), RULES);
    loaded = await loadRules([join(dir, "rules.yml")]);
    assert.deepEqual(loaded.problems, []);
    const p = await startScanWorkers(
      2,
      { paths: [join(dir, "rules.yml")], placeholders: {} },
      loaded.ruleSet.rules,
    );
    assert.ok(p);
    pool = p;
  });
  after(() => pool.close());

  const settings = { latenessMinutes: 15, maxGroups: 10_000, maxEventIds: 5 };
  const local = async (logs: string, concurrency: number, withPool: boolean) =>
    (
      await scanLocal({
        paths: [logs],
        detector: loaded.ruleSet,
        concurrency,
        pool: withPool ? pool : undefined,
        correlator: correlatorFactory(loaded.correlations, settings),
      })
    ).detections;

  it("gives the same detections, ids included, in a one-off scan whatever the files and their order", async () => {
    const reference = describeDetections(await local(layout(all, 1, 0), 1, false));
    for (const ruleId of ["c-count", "c-values", "c-exact", "c-ordered"])
      assert.ok(
        reference.some((d) => d.includes(`"${ruleId}"`)),
        `${ruleId} fires on the corpus`,
      );
    const variants = [
      { parts: 3, seed: 1, concurrency: 8, pool: false },
      { parts: 4, seed: 2, concurrency: 4, pool: true },
      { parts: 2, seed: 3, concurrency: 16, pool: true },
    ];
    for (const v of variants)
      assert.deepEqual(
        describeDetections(await local(layout(all, v.parts, v.seed), v.concurrency, v.pool)),
        reference,
        JSON.stringify(v),
      );
  });

  it("gives the same detections in incremental scans over file:// whatever the files and their order", async () => {
    const runs = [];
    for (const v of [
      { parts: 1, seed: 0, concurrency: 1, pool: false },
      { parts: 3, seed: 4, concurrency: 6, pool: true },
    ]) {
      const base = tempDir("tw-corr-order-state-");
      const config = testConfig(base, {
        sources: [`file://${layout(all, v.parts, v.seed)}`],
        concurrency: v.concurrency,
      });
      const summary = await runScan({
        config,
        detector: loaded.ruleSet,
        pool: v.pool ? pool : undefined,
        correlator: correlatorFactory(loaded.correlations, settings),
      });
      assert.equal(summary.correlation?.late, 0);
      runs.push(describeDetections(readDetections(config)));
    }
    assert.ok(runs[0].length > 20, `windows decided behind the watermark fire (${runs[0].length})`);
    assert.deepEqual(runs[1], runs[0]);
    // An incremental scan decides what the watermark has passed: a subset of the one-off scan's.
    const oneOff = new Set(describeDetections(await local(layout(all, 1, 0), 1, false)));
    for (const d of runs[0]) assert.ok(oneOff.has(d), d);
  });
});
