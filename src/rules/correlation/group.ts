// One group of one correlation: its events (sorted by time, input order, eventID), its latest
// firing, and the decisions taken on it as the watermark passes. Every decision is taken only on
// windows whose events are all known (behind the watermark), in eventTime order, so what fires is a
// function of the group's events and not of the order they arrived in. See docs/rules.md,
// "Correlation semantics".
import type { CompiledCorrelation } from "./resolve.ts";
import { compareEvents, firstFinalHit, firstRisingHit, type GroupEvent, isMonotone } from "./window.ts";

/** Events kept per group; beyond it the oldest go (counted in `truncated`). */
export const MAX_EVENTS_PER_GROUP = 10_000;

export interface Group {
  c: CompiledCorrelation;
  key: string;
  values: (string | number | null)[];
  events: GroupEvent[];
  /** Last event time of the latest firing. */
  firedAt?: number;
  sorted: boolean;
  /** input and eventID of the events held (built on first use; not stored). */
  seen?: Set<string>;
  /** The group needs attention once the watermark passes this (a decision or an expiry is due). */
  due: number;
}

export interface StoredGroup {
  v: (string | number | null)[];
  e: GroupEvent[];
  f?: number;
}

export interface Decision {
  /** Windows that met the condition: index ranges into the events at the time, and the measure. */
  hits: { events: GroupEvent[]; value: number }[];
  /** Events dropped beyond MAX_EVENTS_PER_GROUP. */
  truncated: number;
  /** Whether the group changed (a firing, expired events) or went (no events, nothing held back). */
  changed: boolean;
  gone: boolean;
}

const SMALL_GROUP = 16;

export function seenKey(e: GroupEvent): string {
  return `${e[1]}:${e[2]}`;
}

/** Add one event; false when the group already holds it (the same record twice counts once). */
export function addEvent(g: Group, ev: GroupEvent): boolean {
  // Most groups hold a few events: a scan beats a Set per group (a million groups, a million Sets).
  if (g.events.length < SMALL_GROUP) {
    g.seen = undefined;
    for (const e of g.events) if (e[1] === ev[1] && e[2] === ev[2]) return false;
  } else {
    g.seen ??= new Set(g.events.map(seenKey));
    const sk = seenKey(ev);
    if (g.seen.has(sk)) return false;
    g.seen.add(sk);
  }
  if (g.sorted && g.events.length > 0 && compareEvents(g.events[g.events.length - 1], ev) > 0)
    g.sorted = false;
  g.events.push(ev);
  if (ev[0] < g.due) g.due = ev[0];
  return true;
}

/**
 * Decide every window of the group that is final at `watermark` (all events before it are known),
 * then drop what no later window can use. Rising conditions (gt/gte on counts) decide each event as
 * the end of the window of the timespan before it; the others decide windows anchored at each event,
 * [t, t + timespan], once that end is behind the watermark.
 */
export function decideGroup(g: Group, watermark: number): Decision {
  const c = g.c;
  const T = c.timespanMs;
  let truncated = 0;
  if (!g.sorted) {
    g.events.sort(compareEvents);
    g.sorted = true;
  }
  if (g.events.length > MAX_EVENTS_PER_GROUP) {
    truncated = g.events.length - MAX_EVENTS_PER_GROUP;
    for (const e of g.events.splice(0, truncated)) g.seen?.delete(seenKey(e));
  }
  const hits: Decision["hits"] = [];
  if (isMonotone(c)) {
    // Only events before the watermark end a window that can be decided.
    let n = 0;
    while (n < g.events.length && g.events[n][0] < watermark) n++;
    const known = n === g.events.length ? g.events : g.events.slice(0, n);
    while (n > 0) {
      const hit = firstRisingHit(c, known, armedAfter(g));
      if (!hit) break;
      const events = known.slice(hit.from, hit.to + 1);
      g.firedAt = events[events.length - 1][0];
      hits.push({ events, value: hit.value });
    }
  } else {
    let start = 0;
    for (;;) {
      const rest = g.events.slice(start);
      const r = firstFinalHit(c, rest, armedAfter(g), watermark);
      if (!r.hit) break;
      const events = rest.slice(r.hit.from, r.hit.to + 1);
      g.firedAt = events[events.length - 1][0];
      hits.push({ events, value: r.hit.value });
      start += r.done;
    }
  }
  // Events no later window can use go: those at or before the latest firing (a window that may fire
  // again ends more than a timespan after it, so starts after it) and those a timespan behind the
  // watermark (every window holding them is decided).
  const keepFrom = Math.max(g.firedAt ?? Number.NEGATIVE_INFINITY, watermark - T - 1);
  let n = 0;
  while (n < g.events.length && g.events[n][0] <= keepFrom) n++;
  if (n > 0) {
    for (let i = 0; i < n; i++) g.seen?.delete(seenKey(g.events[i]));
    g.events.splice(0, n);
  }
  const gone = g.events.length === 0 && (g.firedAt === undefined || g.firedAt + 2 * T < watermark);
  g.due = dueOf(g, watermark);
  return { hits, truncated, changed: hits.length > 0 || n > 0 || truncated > 0, gone };
}

/** A firing re-arms a timespan after its last event. */
function armedAfter(g: Group): number {
  return g.firedAt === undefined ? Number.NEGATIVE_INFINITY : g.firedAt + g.c.timespanMs;
}

/** When the group next needs a decision or an expiry: once the watermark is past the returned time. */
export function dueOf(g: Group, watermark: number): number {
  const T = g.c.timespanMs;
  if (g.events.length === 0) return g.firedAt === undefined ? Number.NEGATIVE_INFINITY : g.firedAt + 2 * T;
  // Expiry of the first event, and the first decision not yet taken.
  let due = g.events[0][0] + T;
  if (isMonotone(g.c)) {
    for (const e of g.events)
      if (e[0] >= watermark) {
        due = Math.min(due, e[0]);
        break;
      }
  }
  return due;
}

export function storedGroup(g: Group): StoredGroup {
  const s: StoredGroup = { v: g.values, e: g.events };
  if (g.firedAt !== undefined) s.f = g.firedAt;
  return s;
}
