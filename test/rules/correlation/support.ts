// Helpers for the correlation tests: load rule texts as files, and CloudTrail-like events.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadedRules, loadRules } from "../../../src/rules/index.ts";

/** A base rule document matching one eventName (and, optionally, an errorCode). */
export function baseRule(
  id: string,
  name: string | undefined,
  eventName: string,
  errorCode?: string,
): string {
  return [
    `title: ${id}`,
    `id: ${id}`,
    ...(name ? [`name: ${name}`] : []),
    "logsource:",
    "  product: aws",
    "  service: cloudtrail",
    "detection:",
    "  selection:",
    `    eventName: ${eventName}`,
    ...(errorCode ? [`    errorCode: ${errorCode}`] : []),
    "  condition: selection",
    "level: low",
    "",
  ].join("\n");
}

/** Write each text as its own rule file in a new folder and load the folder. */
export async function loadTexts(texts: Record<string, string>): Promise<LoadedRules & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "tw-corr-"));
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
  return { ...(await loadRules([dir])), dir };
}

/** Problems as "file:line:column: message" with the folder left out. */
export function problemLines(loaded: LoadedRules & { dir: string }): string[] {
  return loaded.problems.map(
    (p) => `${p.file.slice(loaded.dir.length + 1)}:${p.line}:${p.column}: ${p.message}`,
  );
}

let n = 0;
/** A CloudTrail-like record at a time (seconds after 2026-11-20T10:00:00Z). */
export function rec(
  sec: number,
  eventName: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventID: `ev-${String(++n).padStart(6, "0")}`,
    eventTime: new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + sec * 1000).toISOString().replace(".000Z", "Z"),
    eventSource: "iam.amazonaws.com",
    eventName,
    sourceIPAddress: "198.51.100.7",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111111111111:user/alice" },
    ...extra,
  };
}

import { MemoryCorrelatorStore } from "../../../src/logs/correlator.ts";
import { CorrelationEngine, type CorrelationFiring } from "../../../src/rules/correlation/engine.ts";
import type { CorrelationEvent } from "../../../src/rules/correlation/types.ts";

/** The correlation events a batch of records gives (what processLogFile computes per match). */
export function eventsOf(loaded: LoadedRules, records: Record<string, unknown>[]): CorrelationEvent[] {
  const out: CorrelationEvent[] = [];
  for (const r of records)
    for (const m of loaded.ruleSet.evaluate(r)) if (m.correlation) out.push(m.correlation.project(r));
  return out;
}

export interface Harness {
  engine: CorrelationEngine;
  store: MemoryCorrelatorStore;
  /** Feed one "file" of records; returns what fired (committed at once). */
  file(records: Record<string, unknown>[]): CorrelationFiring[];
  /** No more records: every window is final; returns what then fired. */
  end(): CorrelationFiring[];
  /** One file, then the end: everything that fired. */
  all(records: Record<string, unknown>[]): CorrelationFiring[];
}

export function harness(
  loaded: LoadedRules,
  opts: {
    latenessMinutes?: number;
    maxGroups?: number;
    maxEventIds?: number;
    store?: MemoryCorrelatorStore;
  } = {},
): Harness {
  const store = opts.store ?? new MemoryCorrelatorStore();
  const engine = new CorrelationEngine(loaded.correlations, store, store.entries("correlation"), {
    latenessMs: (opts.latenessMinutes ?? 15) * 60_000,
    maxGroups: opts.maxGroups ?? 1000,
    maxEventIds: opts.maxEventIds ?? 20,
    now: () => Date.UTC(2027, 0, 1),
  });
  return {
    engine,
    store,
    file(records) {
      const f = engine.consume(eventsOf(loaded, records));
      engine.committed();
      return f;
    },
    end() {
      const f = engine.finish();
      engine.committed();
      return f;
    },
    all(records) {
      return [...this.file(records), ...this.end()];
    },
  };
}
