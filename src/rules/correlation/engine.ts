// The correlation engine: consumes CorrelationEvents (one file's worth at a time, at that file's
// commit), keeps per-group windows, and returns the correlations that fired. Its state lives in a
// key-value store (namespace "correlation"), written through the caller's buffer so it commits in
// the same transaction as the file whose events changed it. Semantics: docs/rules.md.

import { type CorrelationFiring, correlationOfKey, groupKey, makeFiring } from "./firing.ts";
import type { CompiledCorrelation, CorrelationSet } from "./resolve.ts";
import type { CorrelationEvent } from "./types.ts";
import { compareEvents, firstFinalHit, firstRisingHit, type GroupEvent, isMonotone } from "./window.ts";

export type { CorrelationFiring } from "./firing.ts";

export const CORRELATION_NAMESPACE = "correlation";
const WATERMARK_KEY = "watermark";
/** Events kept per group; beyond it the oldest go (counted in `truncated`). */
export const MAX_EVENTS_PER_GROUP = 10_000;

export interface CorrelationKeyValue {
  get(ns: string, key: string): unknown | undefined;
  put(ns: string, key: string, value: unknown): void;
}

export interface CorrelationEngineOptions {
  /** How far behind the latest eventTime seen an event may be and still count (default 15 min). */
  latenessMs: number;
  /** Live groups across all correlations; an event that would open one more is dropped and counted. */
  maxGroups: number;
  /** Contributing eventIDs listed in a firing. */
  maxEventIds: number;
  /** Wall clock: an eventTime beyond it does not move the watermark (a bogus future time). */
  now?: () => number;
}

export interface CorrelationStats {
  events: number;
  fired: number;
  /** Events older than the watermark (latest eventTime − lateness): dropped. */
  late: number;
  /** Events without a usable eventTime or group-by value: dropped. */
  ungrouped: number;
  /** Events dropped because maxGroups groups were live. */
  groupsRefused: number;
  /** Events dropped from a group holding MAX_EVENTS_PER_GROUP. */
  truncated: number;
  liveGroups: number;
}

interface Group {
  c: CompiledCorrelation;
  key: string;
  values: (string | number | null)[];
  events: GroupEvent[];
  /** Last event time of the latest firing. */
  firedAt?: number;
  sorted: boolean;
  /** input and eventID of the events held (built on first use; not stored). */
  seen?: Set<string>;
}

interface StoredGroup {
  v: (string | number | null)[];
  e: GroupEvent[];
  f?: number;
}

export class CorrelationEngine {
  readonly stats: CorrelationStats = {
    events: 0,
    fired: 0,
    late: 0,
    ungrouped: 0,
    groupsRefused: 0,
    truncated: 0,
    liveGroups: 0,
  };
  private readonly groups = new Map<string, Group>();
  private readonly byId = new Map<string, CompiledCorrelation>();
  private maxSeen = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Keys changed since the last commit. */
  private readonly dirty = new Set<string>();
  private watermarkDirty = false;
  private readonly now: () => number;
  private readonly minTimespan: number;
  private finished = false;

  constructor(
    private readonly set: CorrelationSet,
    private readonly kv: CorrelationKeyValue,
    stored: Iterable<[string, unknown]>,
    private readonly opts: CorrelationEngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
    for (const c of set.correlations) this.byId.set(c.id, c);
    this.minTimespan = Math.min(...set.correlations.map((c) => c.timespanMs), Number.MAX_SAFE_INTEGER);
    for (const [key, value] of stored) this.restore(key, value);
    this.stats.liveGroups = this.groups.size;
  }

  get watermark(): number {
    return this.finished ? Number.POSITIVE_INFINITY : this.maxSeen - this.opts.latenessMs;
  }

  /** Whether any correlation is loaded. */
  get active(): boolean {
    return this.set.correlations.length > 0;
  }

  /**
   * Take one file's events; returns what fired (chained correlations included, and those not to be
   * emitted marked so). State changes are put to the key-value store as they happen.
   */
  consume(events: readonly CorrelationEvent[]): CorrelationFiring[] {
    if (!this.active) return [];
    return this.run([...events].sort(compareInput), false);
  }

  /**
   * No more events will come (a one-off scan, a rule test): every window is final. Decides them all
   * and forgets every group.
   */
  finish(): CorrelationFiring[] {
    if (!this.active) return [];
    this.finished = true;
    return this.run([], true);
  }

  private run(first: CorrelationEvent[], sweep: boolean): CorrelationFiring[] {
    const firings: CorrelationFiring[] = [];
    let pending = first;
    let chained = false;
    let all = sweep;
    // A chain is acyclic, so this ends after at most (chain depth) rounds.
    while (pending.length > 0 || all) {
      const touched = new Set<Group>();
      // A chained correlation's firing is never late: a final-window firing is behind the watermark by nature.
      const before = chained ? Number.NEGATIVE_INFINITY : this.watermark;
      this.advance(pending);
      const early: CorrelationFiring[] = [];
      // At the group cap, groups whose windows have all passed make room first (decided, then
      // dropped); only worth a sweep when the watermark moved since the last one.
      const makeRoom = () => {
        if (this.watermark <= this.lastSweep) return;
        early.push(...this.evaluate(touched, true));
      };
      for (const e of pending) this.add(e, before, touched, makeRoom);
      const fired = [...early, ...this.evaluate(touched, all)];
      all = false;
      firings.push(...fired);
      chained = true;
      pending = fired.map((f) => ({
        ruleId: f.ruleId,
        eventID: f.id,
        eventTime: f.window.end,
        values: f.groupBy,
      }));
    }
    if (this.watermarkDirty) {
      this.kv.put(CORRELATION_NAMESPACE, WATERMARK_KEY, this.maxSeen);
      this.watermarkDirty = false;
    }
    this.stats.liveGroups = this.groups.size;
    return firings;
  }

  /** The file committed: its changes are durable. */
  committed(): void {
    this.dirty.clear();
  }

  /** The file's commit failed: reload what it changed from the store (the buffer was discarded). */
  rollback(): void {
    for (const key of this.dirty) {
      this.groups.delete(key);
      const v = this.kv.get(CORRELATION_NAMESPACE, key);
      if (v !== undefined) this.restore(key, v);
    }
    this.dirty.clear();
    const w = this.kv.get(CORRELATION_NAMESPACE, WATERMARK_KEY);
    this.maxSeen = typeof w === "number" ? w : Number.NEGATIVE_INFINITY;
    this.watermarkDirty = false;
    this.lastSweep = Number.NEGATIVE_INFINITY;
    this.stats.liveGroups = this.groups.size;
  }

  private add(e: CorrelationEvent, watermark: number, touched: Set<Group>, makeRoom: () => void): void {
    const consumers = this.set.consumers.get(e.ruleId);
    if (!consumers) return;
    const t = Date.parse(e.eventTime);
    for (const c of consumers) {
      this.stats.events++;
      if (!Number.isFinite(t)) {
        this.stats.ungrouped++;
        continue;
      }
      if (t < watermark) {
        this.stats.late++;
        continue;
      }
      const input = c.inputs.indexOf(e.ruleId);
      const names = c.groupKeys.get(e.ruleId) ?? [];
      const values = names.map((n) => (n in e.values ? e.values[n] : null));
      if (values.some((v) => v === null)) {
        this.stats.ungrouped++;
        continue;
      }
      const fieldKey = c.fieldKey.get(e.ruleId);
      const measured = fieldKey === undefined ? null : (e.values[fieldKey] ?? null);
      if (fieldKey !== undefined && measured === null) {
        this.stats.ungrouped++;
        continue;
      }
      const key = groupKey(c.id, values);
      let g = this.groups.get(key);
      if (!g) {
        if (this.groups.size >= this.opts.maxGroups) makeRoom();
        if (this.groups.size >= this.opts.maxGroups) {
          this.stats.groupsRefused++;
          continue;
        }
        g = { c, key, values, events: [], sorted: true };
        this.groups.set(key, g);
      }
      const ev: GroupEvent = [t, input, e.eventID, measured];
      // The same record twice (two trails, a redelivery) counts once.
      g.seen ??= new Set(g.events.map(seenKey));
      const sk = seenKey(ev);
      if (g.seen.has(sk)) continue;
      g.seen.add(sk);
      if (g.sorted && g.events.length > 0 && compareEvents(g.events[g.events.length - 1], ev) > 0)
        g.sorted = false;
      g.events.push(ev);
      touched.add(g);
    }
  }

  private advance(events: readonly CorrelationEvent[]): void {
    const ceiling = this.now();
    for (const e of events) {
      const t = Date.parse(e.eventTime);
      if (Number.isFinite(t) && t > this.maxSeen) {
        this.maxSeen = Math.min(t, Math.max(ceiling, this.maxSeen));
        this.watermarkDirty = true;
      }
    }
  }

  private evaluate(touched: Set<Group>, force: boolean): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    const w = this.watermark;
    // When the watermark moved on, windows of untouched groups may have become final or expired.
    const all = force || w - this.lastSweep >= Math.min(this.minTimespan, 60_000);
    const groups = all ? [...this.groups.values()] : [...touched];
    if (all) this.lastSweep = w;
    for (const g of groups) {
      if (!g.sorted) {
        g.events.sort(compareEvents);
        g.sorted = true;
      }
      if (g.events.length > MAX_EVENTS_PER_GROUP) {
        const extra = g.events.length - MAX_EVENTS_PER_GROUP;
        for (const e of g.events.splice(0, extra)) g.seen?.delete(seenKey(e));
        this.stats.truncated += extra;
      }
      const isTouched = touched.has(g);
      // A rising condition cannot change without new events; the rest wait for windows to be final.
      const fired = isTouched || !isMonotone(g.c) ? this.decide(g, w) : [];
      out.push(...fired);
      const expired = this.expire(g, w);
      // Only what changed is written: a sweep over many quiet groups writes nothing for them.
      if (isTouched || fired.length > 0 || expired) this.save(g);
    }
    return out;
  }

  private decide(g: Group, watermark: number): CorrelationFiring[] {
    const c = g.c;
    const out: CorrelationFiring[] = [];
    const armedAfter = () => (g.firedAt === undefined ? Number.NEGATIVE_INFINITY : g.firedAt + c.timespanMs);
    if (isMonotone(c)) {
      for (;;) {
        const hit = firstRisingHit(c, g.events, armedAfter());
        if (!hit) break;
        out.push(this.fire(g, hit.from, hit.to, hit.value));
      }
    } else {
      let start = 0;
      for (;;) {
        const rest = g.events.slice(start);
        const r = firstFinalHit(c, rest, armedAfter(), watermark);
        if (!r.hit) break;
        out.push(this.fire(g, start + r.hit.from, start + r.hit.to, r.hit.value));
        start += r.done;
      }
    }
    return out;
  }

  private fire(g: Group, from: number, to: number, value: number): CorrelationFiring {
    const events = g.events.slice(from, to + 1);
    g.firedAt = events[events.length - 1][0];
    this.stats.fired++;
    return makeFiring(g.c, g.key, g.values, events, value, this.opts.maxEventIds);
  }

  /**
   * Events no future window can use go: those at or before the latest firing (a window that may fire
   * again ends more than a timespan after it, so starts after it) and those whose every window is
   * final. A group with no events left goes once its firing can no longer hold anything back.
   */
  /** Drops what no future window can use; whether anything went. */
  private expire(g: Group, watermark: number): boolean {
    const T = g.c.timespanMs;
    const keepFrom = Math.max(g.firedAt ?? Number.NEGATIVE_INFINITY, watermark - T - 1);
    let n = 0;
    while (n < g.events.length && g.events[n][0] <= keepFrom) n++;
    if (n > 0) {
      for (let i = 0; i < n; i++) g.seen?.delete(seenKey(g.events[i]));
      g.events.splice(0, n);
    }
    if (g.events.length === 0 && (g.firedAt === undefined || g.firedAt + 2 * T < watermark)) {
      this.groups.delete(g.key);
      return true;
    }
    return n > 0;
  }

  private save(g: Group): void {
    this.dirty.add(g.key);
    if (!this.groups.has(g.key)) {
      this.kv.put(CORRELATION_NAMESPACE, g.key, undefined);
      return;
    }
    const s: StoredGroup = { v: g.values, e: g.events };
    if (g.firedAt !== undefined) s.f = g.firedAt;
    this.kv.put(CORRELATION_NAMESPACE, g.key, s);
  }

  private restore(key: string, value: unknown): void {
    if (key === WATERMARK_KEY) {
      if (typeof value === "number") this.maxSeen = value;
      return;
    }
    const id = correlationOfKey(key);
    const c = id === undefined ? undefined : this.byId.get(id);
    const s = value as StoredGroup;
    // A group of a correlation no longer loaded (or changed shape) is forgotten.
    if (!c || !s || !Array.isArray(s.e) || !Array.isArray(s.v) || s.v.length !== c.groupBy.length) {
      this.kv.put(CORRELATION_NAMESPACE, key, undefined);
      return;
    }
    this.groups.set(key, { c, key, values: s.v, events: s.e, firedAt: s.f, sorted: false });
  }
}

function seenKey(e: GroupEvent): string {
  return `${e[1]}:${e[2]}`;
}

function compareInput(a: CorrelationEvent, b: CorrelationEvent): number {
  return cmp(a.eventTime, b.eventTime) || cmp(a.ruleId, b.ruleId) || cmp(a.eventID, b.eventID);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
