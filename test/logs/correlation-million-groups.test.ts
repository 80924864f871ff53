// A million distinct group keys through the correlator, file by file as a scan commits them: windows
// expire by timespan so the live state stays bounded, and when more groups would be live than
// logs.correlation.maxGroups, the events that would open them are dropped, counted and logged once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryCommitter } from "../../src/logs/commit.ts";
import { CorrelatingCommitter } from "../../src/logs/correlating-committer.ts";
import { MemoryCorrelatorStore } from "../../src/logs/correlator.ts";
import type { Detection } from "../../src/logs/detection.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import { correlatorFactory, type LoadedRules } from "../../src/rules/index.ts";
import { createLogger } from "../../src/util/logger.ts";
import { baseRule, loadTexts } from "../rules/correlation/support.ts";

const RULES = `title: Failures by address
id: by-ip
level: high
correlation:
  type: event_count
  rules: [fail]
  group-by: [sourceIPAddress]
  timespan: 1m
  condition: {gte: 2}
---
${baseRule("r-fail", "fail", "ConsoleLogin", "Failed")}`;

const KEYS = 1_000_000;
const PER_FILE = 10_000;
const START = Date.UTC(2026, 10, 20, 10, 0, 0);
/** One file holds 10,000 events over 30 s; every 100th address comes twice (a firing). */
const STEP_MS = 3;

function run(loaded: LoadedRules, maxGroups: number) {
  const summary = emptySummary();
  const warnings: string[] = [];
  const logger = createLogger({ level: "warn", write: (line) => void warnings.push(line) });
  const store = new MemoryCorrelatorStore();
  const factory = correlatorFactory(loaded.correlations, { latenessMinutes: 1, maxGroups, maxEventIds: 5 });
  assert.ok(factory);
  const correlator = factory(store);
  const committer = new CorrelatingCommitter(
    new MemoryCommitter(summary),
    correlator,
    summary,
    logger,
    maxGroups,
  );
  let maxLive = 0;
  let maxStored = 0;
  let fired = 0;
  const add = (n: number, ip: string) =>
    ({
      correlationInput: {
        emit: false,
        event: {
          ruleId: "r-fail",
          eventID: `ev-${n}`,
          eventTime: new Date(START + n * STEP_MS).toISOString(),
          values: { sourceIPAddress: ip },
        },
      },
    }) as unknown as Detection;
  for (let f = 0; f < KEYS / PER_FILE; f++) {
    const batch = committer.begin({ key: `file-${f}` });
    for (let i = 0; i < PER_FILE; i++) {
      const n = f * PER_FILE + i;
      batch.add(add(n, `k${n}`));
      if (n % 100 === 0) batch.add(add(n + 0.5, `k${n}`));
    }
    fired += [...batch.commit()].length;
    maxLive = Math.max(maxLive, correlator.stats.liveGroups);
    maxStored = Math.max(maxStored, store.size("correlation"));
  }
  fired += committer.finish().length;
  return { summary, warnings, maxLive, maxStored, fired, live: correlator.stats.liveGroups };
}

describe("a million distinct correlation group keys", () => {
  it("keeps live groups bounded by expiry alone when the cap is not reached", async () => {
    const loaded = await loadTexts({ "c.yml": RULES });
    const r = run(loaded, 100_000);
    const c = r.summary.correlation!;
    assert.equal(c.events, KEYS + KEYS / 100);
    assert.equal(c.groupsRefused, 0);
    // Lateness 1 min + timespan 1 min of eventTime at 10,000 keys per 30 s, plus the file in hand.
    assert.ok(r.maxLive <= 60_000, `at most ~2.5 min of keys live (${r.maxLive})`);
    assert.ok(r.maxStored <= r.maxLive + 1, `the stored state is the live groups (${r.maxStored})`);
    assert.equal(r.fired, KEYS / 100, "every repeated address fires once");
    assert.equal(r.live, 0, "the end of the scan decides and forgets every group");
    assert.deepEqual(r.warnings, []);
  });

  it("stops at maxGroups, counts the events it refused and logs the cap once", async () => {
    const loaded = await loadTexts({ "c.yml": RULES });
    const r = run(loaded, 15_000);
    const c = r.summary.correlation!;
    assert.ok(r.maxLive <= 15_000, `live groups never exceed the cap (${r.maxLive})`);
    assert.ok(r.maxStored <= 15_001, `nor does the stored state (${r.maxStored})`);
    assert.ok(c.groupsRefused > 100_000, `events refused at the cap are counted (${c.groupsRefused})`);
    assert.ok(r.fired > 0 && r.fired < KEYS / 100, `groups that opened still fire (${r.fired})`);
    assert.equal(r.warnings.length, 1, r.warnings.join(""));
    const warning = JSON.parse(r.warnings[0]);
    assert.match(warning.msg, /correlation group cap reached/);
    assert.equal(warning.maxGroups, 15_000);
  });
});
