// What a correlation firing is made of, its deterministic id, and the keys groups are stored under.
import { shortId } from "../../util/ids.ts";
import type { CompiledCorrelation } from "./resolve.ts";
import type { GroupEvent } from "./window.ts";

/** One correlation firing: what a correlation detection is made of. */
export interface CorrelationFiring {
  /** sha256(rule id, group, first contributing eventID), first 32 hex digits. */
  id: string;
  ruleId: string;
  title: string;
  level: string;
  tags: string[];
  description?: string;
  falsepositives?: string[];
  references?: string[];
  type: string;
  timespan: string;
  /** group-by name → value. */
  groupBy: Record<string, string | number | null>;
  /** Times of the first and last events of the window that met the condition (ISO 8601). */
  window: { start: string; end: string };
  /** The measure that met the condition. */
  value: number;
  condition: Record<string, number | string>;
  eventCount: number;
  /** Up to maxEventIds contributing eventIDs, in window order. */
  eventIDs: string[];
  /** value_count: the distinct values counted (up to maxEventIds, in order of first appearance). */
  values?: string[];
  /** Whether it is emitted (false when a chaining correlation uses it without generate: true). */
  emit: boolean;
}

/** The firing for events (the window that met the condition) of one group. */
export function makeFiring(
  c: CompiledCorrelation,
  key: string,
  values: readonly (string | number | null)[],
  events: readonly GroupEvent[],
  value: number,
  maxEventIds: number,
): CorrelationFiring {
  const groupBy: Record<string, string | number | null> = {};
  c.groupBy.forEach((name, i) => {
    groupBy[name] = values[i];
  });
  const condition: Record<string, number | string> = {};
  for (const { op, value: v } of c.condition.ops) condition[op] = v;
  if (c.condition.field !== undefined) condition.field = c.condition.field;
  if (c.condition.percentile !== undefined) condition.percentile = c.condition.percentile;
  const f: CorrelationFiring = {
    id: correlationId(c.id, key, events[0][2]),
    ruleId: c.id,
    title: c.title,
    level: c.level,
    tags: [...c.tags],
    type: c.type,
    timespan: c.timespan,
    groupBy,
    window: {
      start: new Date(events[0][0]).toISOString(),
      end: new Date(events[events.length - 1][0]).toISOString(),
    },
    value,
    condition,
    eventCount: events.length,
    eventIDs: events.slice(0, maxEventIds).map((e) => e[2]),
    emit: c.emit,
  };
  if (c.type === "value_count") {
    const distinct = new Set<string>();
    for (const e of events) {
      if (distinct.size >= maxEventIds) break;
      if (e[3] !== null) distinct.add(String(e[3]));
    }
    f.values = [...distinct];
  }
  if (c.description) f.description = c.description;
  if (c.falsepositives?.length) f.falsepositives = [...c.falsepositives];
  if (c.references?.length) f.references = [...c.references];
  return f;
}

/** Group keys: "g:" and JSON of [correlation id, ...group-by values] (no NUL: the store keeps text). */
export function groupKey(correlationId: string, values: readonly (string | number | null)[]): string {
  return `g:${JSON.stringify([correlationId, ...values])}`;
}

export function correlationOfKey(key: string): string | undefined {
  if (!key.startsWith("g:")) return undefined;
  try {
    const parts = JSON.parse(key.slice(2)) as unknown;
    return Array.isArray(parts) && typeof parts[0] === "string" ? parts[0] : undefined;
  } catch {
    return undefined;
  }
}

export function correlationId(ruleId: string, group: string, firstEventID: string): string {
  return shortId("correlation", ruleId, group, firstEventID);
}
