// Correlation cases in rule test files: a sequence of records (each with its eventTime), fed to the
// rules and the correlation engine one record at a time in the order written, then the end of input
// (every window final). The correlation detections emitted by the file's correlations must be
// exactly the expected ones, in order of their window's end.
import type { RuleSet } from "../ruleset.ts";
import { CorrelationEngine, type CorrelationFiring } from "./engine.ts";
import type { CorrelationSet } from "./resolve.ts";
import type { CorrelationEvent } from "./types.ts";

export interface CorrelationCase {
  name: string;
  /** Minutes a record may be behind the latest eventTime and still count (default 15). */
  latenessMinutes?: number;
  records: Record<string, unknown>[];
  expect: ExpectedFiring[];
}

export interface ExpectedFiring {
  rule: string;
  groupBy?: Record<string, string | number | null>;
  value?: number;
  eventIDs?: string[];
}

export interface CorrelationCaseOutcome {
  passed: boolean;
  /** What fired, one line each ("rule {group} value=…"). */
  got: string[];
  want: string[];
}

export function runCorrelationCase(
  ruleSet: RuleSet,
  set: CorrelationSet,
  correlationIds: ReadonlySet<string>,
  c: CorrelationCase,
): CorrelationCaseOutcome {
  const kv = new Map<string, unknown>();
  const engine = new CorrelationEngine(
    set,
    {
      get: (ns, key) => kv.get(`${ns}/${key}`),
      put: (ns, key, value) => {
        if (value === undefined) kv.delete(`${ns}/${key}`);
        else kv.set(`${ns}/${key}`, structuredClone(value));
      },
    },
    [],
    {
      latenessMs: (c.latenessMinutes ?? 15) * 60_000,
      maxGroups: 100_000,
      maxEventIds: 1000,
      // Test records may carry any date: the wall clock does not cap the watermark here.
      now: () => Number.MAX_SAFE_INTEGER,
    },
  );
  const fired: CorrelationFiring[] = [];
  for (const record of c.records) {
    const events: CorrelationEvent[] = [];
    for (const m of ruleSet.evaluate(record)) if (m.correlation) events.push(m.correlation.project(record));
    fired.push(...engine.consume(events));
    engine.committed();
  }
  fired.push(...engine.finish());
  const mine = fired.filter((f) => f.emit && correlationIds.has(f.ruleId));
  const got = mine.map(describeFiring);
  const want = c.expect.map(describeExpected);
  const passed =
    mine.length === c.expect.length &&
    c.expect.every((e, i) => {
      const f = mine[i];
      return (
        f.ruleId === e.rule &&
        (e.groupBy === undefined ||
          JSON.stringify(sortKeys(f.groupBy)) === JSON.stringify(sortKeys(e.groupBy))) &&
        (e.value === undefined || f.value === e.value) &&
        (e.eventIDs === undefined || JSON.stringify(f.eventIDs) === JSON.stringify(e.eventIDs))
      );
    });
  return { passed, got, want };
}

function describeFiring(f: CorrelationFiring): string {
  return `${f.ruleId} ${JSON.stringify(sortKeys(f.groupBy))} value=${f.value} events=${f.eventIDs.join(",")}`;
}

function describeExpected(e: ExpectedFiring): string {
  return [
    e.rule,
    e.groupBy === undefined ? "{any group}" : JSON.stringify(sortKeys(e.groupBy)),
    e.value === undefined ? "" : `value=${e.value}`,
    e.eventIDs === undefined ? "" : `events=${e.eventIDs.join(",")}`,
  ]
    .filter(Boolean)
    .join(" ");
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
