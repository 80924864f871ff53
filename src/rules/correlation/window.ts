// Window evaluation for one group of one correlation: pure functions over the group's events, sorted
// by (time, input order, eventID). A window is a maximal run of events whose times span at most the
// timespan (both ends inclusive). See docs/rules.md, "Correlation semantics".
import type { CompiledCorrelation } from "./resolve.ts";
import type { ConditionOperator, CorrelationCondition } from "./types.ts";

/** One event in a group: time (ms), index of its rule in the correlation's inputs, eventID, measured value. */
export type GroupEvent = [t: number, input: number, eventID: string, value: string | number | null];

export interface WindowHit {
  /** Index range [from, to] into the group's events. */
  from: number;
  to: number;
  /** The measured value that met the condition (count, distinct values, sum, ...). */
  value: number;
}

export function compareEvents(a: GroupEvent, b: GroupEvent): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

const RISING = new Set<ConditionOperator>(["gt", "gte"]);

/**
 * Whether the condition, once true for a set of events, stays true for any superset: then a group
 * may fire as soon as it holds. Otherwise (an upper bound, eq, neq, or an average/percentile/sum)
 * only final windows are decided.
 */
export function isMonotone(c: Pick<CompiledCorrelation, "type" | "condition">): boolean {
  if (c.type === "value_sum" || c.type === "value_avg" || c.type === "value_percentile") return false;
  return c.condition.ops.every((o) => RISING.has(o.op));
}

export function conditionHolds(cond: CorrelationCondition, v: number): boolean {
  for (const { op, value } of cond.ops) {
    const ok =
      op === "gt"
        ? v > value
        : op === "gte"
          ? v >= value
          : op === "lt"
            ? v < value
            : op === "lte"
              ? v <= value
              : op === "eq"
                ? v === value
                : v !== value;
    if (!ok) return false;
  }
  return true;
}

/** The measure of events[from..to] for the correlation's type. */
export function measure(
  c: Pick<CompiledCorrelation, "type" | "condition" | "inputs">,
  events: readonly GroupEvent[],
  from: number,
  to: number,
): number {
  switch (c.type) {
    case "event_count":
      return to - from + 1;
    case "value_count": {
      const seen = new Set<string>();
      for (let k = from; k <= to; k++) if (events[k][3] !== null) seen.add(String(events[k][3]));
      return seen.size;
    }
    case "temporal": {
      const seen = new Set<number>();
      for (let k = from; k <= to; k++) seen.add(events[k][1]);
      return seen.size;
    }
    case "temporal_ordered": {
      // The longest prefix of `rules` matched in order (a tie in time counts as in order: events of
      // the same second sort by their rule's place in `rules`).
      let next = 0;
      for (let k = from; k <= to && next < c.inputs.length; k++) if (events[k][1] === next) next++;
      return next;
    }
    default: {
      const nums: number[] = [];
      for (let k = from; k <= to; k++) {
        const n = numeric(events[k][3]);
        if (n !== undefined) nums.push(n);
      }
      if (nums.length === 0) return Number.NaN;
      if (c.type === "value_sum") return nums.reduce((a, b) => a + b, 0);
      if (c.type === "value_avg") return nums.reduce((a, b) => a + b, 0) / nums.length;
      // value_percentile: nearest rank.
      nums.sort((a, b) => a - b);
      const p = c.condition.percentile ?? 50;
      return nums[Math.max(0, Math.ceil((p / 100) * nums.length) - 1)];
    }
  }
}

export function numeric(v: string | number | null): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Rising conditions: the first window, by its last event, that meets the condition and ends later than
 * `armedAfter`. For each last event j the window is every event within the timespan before it (the
 * largest window ending at j, which meets a rising condition whenever a smaller one does).
 */
export function firstRisingHit(
  c: CompiledCorrelation,
  events: readonly GroupEvent[],
  armedAfter: number,
): WindowHit | undefined {
  // The window slides: what enters and leaves is counted, so a group of n events costs O(n)
  // (temporal_ordered, whose measure is not a count, is measured again per window).
  const acc = new SlidingMeasure(c);
  let from = 0;
  for (let to = 0; to < events.length; to++) {
    const t = events[to][0];
    acc.add(events[to]);
    while (events[from][0] < t - c.timespanMs) acc.remove(events[from++]);
    if (t <= armedAfter) continue;
    const v = c.type === "temporal_ordered" ? measure(c, events, from, to) : acc.value();
    if (conditionHolds(c.condition, v)) return { from, to, value: v };
  }
  return undefined;
}

/** event_count, value_count and temporal over a sliding window, by counts of what it holds. */
class SlidingMeasure {
  private n = 0;
  private readonly counts = new Map<string | number, number>();

  constructor(private readonly c: Pick<CompiledCorrelation, "type">) {}

  private keyOf(e: GroupEvent): string | number | undefined {
    if (this.c.type === "value_count") return e[3] === null ? undefined : String(e[3]);
    if (this.c.type === "temporal") return e[1];
    return undefined;
  }

  add(e: GroupEvent): void {
    this.n++;
    const k = this.keyOf(e);
    if (k !== undefined) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  remove(e: GroupEvent): void {
    this.n--;
    const k = this.keyOf(e);
    if (k === undefined) return;
    const left = (this.counts.get(k) ?? 1) - 1;
    if (left === 0) this.counts.delete(k);
    else this.counts.set(k, left);
  }

  value(): number {
    return this.c.type === "event_count" ? this.n : this.counts.size;
  }
}

/**
 * Other conditions: windows anchored at each event [t, t + timespan], decided once final (their end
 * before `watermark`), in order; the first that meets the condition and ends later than `armedAfter`.
 * `done` is how many anchors (from the start) were final and decided.
 */
export function firstFinalHit(
  c: CompiledCorrelation,
  events: readonly GroupEvent[],
  armedAfter: number,
  watermark: number,
): { hit?: WindowHit; done: number } {
  let to = 0;
  let from = 0;
  for (; from < events.length; from++) {
    const end = events[from][0] + c.timespanMs;
    if (end >= watermark) break;
    if (to < from) to = from;
    while (to + 1 < events.length && events[to + 1][0] <= end) to++;
    if (events[to][0] <= armedAfter) continue;
    const v = measure(c, events, from, to);
    if (!Number.isNaN(v) && conditionHolds(c.condition, v))
      return { hit: { from, to, value: v }, done: from + 1 };
  }
  return { done: from };
}
