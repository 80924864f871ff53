// The correlation engine: consumes CorrelationEvents (one file's worth at a time, at that file's
// commit), keeps per-group windows, and returns the correlations that fired. Its state lives in a
// key-value store (namespace "correlation"), written through the caller's buffer so it commits in
// the same transaction as the file whose events changed it. Semantics: docs/rules.md.
//
// Determinism: a window is decided only when the watermark (latest eventTime seen − lateness) has
// passed every event it could hold, in eventTime order, so what fires depends on the set of events
// that were not late, not on the order files arrived in.

import { type CorrelationFiring, correlationOfKey, groupKey, makeFiring } from "./firing.ts";
import { addEvent, decideGroup, type Group, type StoredGroup, storedGroup } from "./group.ts";
import type { CompiledCorrelation, CorrelationSet } from "./resolve.ts";
import type { CorrelationEvent } from "./types.ts";
import { type GroupEvent, isMonotone } from "./window.ts";

export type { CorrelationFiring } from "./firing.ts";
export { MAX_EVENTS_PER_GROUP } from "./group.ts";

export const CORRELATION_NAMESPACE = "correlation";
const WATERMARK_KEY = "watermark";

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
  /** Events older than the watermark (latest eventTime − lateness) when they arrived: dropped. */
  late: number;
  /** Events without a usable eventTime or group-by value: dropped. */
  ungrouped: number;
  /** Events dropped because maxGroups groups were live. */
  groupsRefused: number;
  /** Events dropped from a group holding MAX_EVENTS_PER_GROUP. */
  truncated: number;
  liveGroups: number;
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
  /** Per correlation (in dependency order), its live groups by key. */
  private readonly groups = new Map<string, Map<string, Group>>();
  private live = 0;
  private readonly byId = new Map<string, CompiledCorrelation>();
  /**
   * How far behind the watermark a correlation decides: one chaining a correlation decided on final
   * windows ([t, t + timespan]) receives that one's firings up to a timespan behind the watermark.
   */
  private readonly lag = new Map<string, number>();
  private maxSeen = Number.NEGATIVE_INFINITY;
  /** Keys changed since the last commit. */
  private readonly dirty = new Set<string>();
  /** Groups changed in this round, written at its end (once each, however many events they took). */
  private readonly touched = new Set<Group>();
  private watermarkDirty = false;
  private readonly now: () => number;
  private finished = false;

  constructor(
    private readonly set: CorrelationSet,
    private readonly kv: CorrelationKeyValue,
    stored: Iterable<[string, unknown]>,
    private readonly opts: CorrelationEngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
    for (const c of set.correlations) {
      this.byId.set(c.id, c);
      this.groups.set(c.id, new Map());
      let lag = 0;
      for (const id of c.inputs) {
        const inner = this.byId.get(id);
        if (inner) lag = Math.max(lag, this.lag.get(id)! + (isMonotone(inner) ? 0 : inner.timespanMs));
      }
      this.lag.set(c.id, lag);
    }
    for (const [key, value] of stored) this.restore(key, value);
    this.stats.liveGroups = this.live;
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
   * emitted marked so). `upTo` is the latest eventTime the caller vouches for: every file that may
   * hold earlier records has been given (default: the latest eventTime among these events). State
   * changes are put to the key-value store as they happen.
   */
  consume(events: readonly CorrelationEvent[], upTo?: number): CorrelationFiring[] {
    if (!this.active) return [];
    const before = this.watermark;
    const sorted = [...events].sort(compareInput);
    let latest = Number.NEGATIVE_INFINITY;
    let earliest = Number.POSITIVE_INFINITY;
    for (const e of sorted) {
      const t = Date.parse(e.eventTime);
      if (!Number.isFinite(t)) continue;
      if (t > latest) latest = t;
      if (t >= before && t < earliest) earliest = t;
    }
    this.advance(upTo ?? latest);
    // Windows wholly before this file's first usable event are decided first (they cannot hold any of
    // it), so groups they free make room for the groups this file opens.
    const firings = this.settle(Math.min(this.watermark, earliest));
    for (const e of sorted) this.add(e, before);
    firings.push(...this.settle(this.watermark));
    this.finishRound();
    return firings;
  }

  /**
   * No more events will come (a one-off scan, a rule test): every window is final. Decides them all
   * and forgets every group.
   */
  finish(): CorrelationFiring[] {
    if (!this.active) return [];
    this.finished = true;
    const firings = this.settle(Number.POSITIVE_INFINITY);
    this.finishRound();
    return firings;
  }

  /** The file committed: its changes are durable. */
  committed(): void {
    this.dirty.clear();
  }

  /** The file's commit failed: reload what it changed from the store (the buffer was discarded). */
  rollback(): void {
    for (const key of this.dirty) {
      const id = correlationOfKey(key);
      const m = id === undefined ? undefined : this.groups.get(id);
      if (m?.delete(key)) this.live--;
      const v = this.kv.get(CORRELATION_NAMESPACE, key);
      if (v !== undefined) this.restore(key, v);
    }
    this.dirty.clear();
    this.touched.clear();
    const w = this.kv.get(CORRELATION_NAMESPACE, WATERMARK_KEY);
    this.maxSeen = typeof w === "number" ? w : Number.NEGATIVE_INFINITY;
    this.watermarkDirty = false;
    this.stats.liveGroups = this.live;
  }

  /** Decide every group due at the watermark, correlations in dependency order (chains feed forward). */
  private settle(watermark: number): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    for (const c of this.set.correlations) {
      const w = watermark - this.lag.get(c.id)!;
      const groups = this.groups.get(c.id)!;
      const fired: CorrelationFiring[] = [];
      for (const g of groups.values()) {
        if (!(g.due < w)) continue;
        const d = decideGroup(g, w);
        this.stats.truncated += d.truncated;
        for (const h of d.hits) {
          this.stats.fired++;
          fired.push(makeFiring(c, g.key, g.values, h.events, h.value, this.opts.maxEventIds));
        }
        if (d.gone) {
          groups.delete(g.key);
          this.live--;
          this.touched.delete(g);
          this.save(g, true);
        } else if (d.changed) this.touched.add(g);
      }
      // A firing is an event for the correlations chaining this one (they come later in the order).
      for (const f of fired)
        this.add(
          { ruleId: f.ruleId, eventID: f.id, eventTime: f.window.end, values: f.groupBy },
          Number.NEGATIVE_INFINITY,
        );
      out.push(...fired);
    }
    return out;
  }

  private finishRound(): void {
    for (const g of this.touched) this.save(g, false);
    this.touched.clear();
    if (this.watermarkDirty) {
      this.kv.put(CORRELATION_NAMESPACE, WATERMARK_KEY, this.maxSeen);
      this.watermarkDirty = false;
    }
    this.stats.liveGroups = this.live;
  }

  private add(e: CorrelationEvent, watermark: number): void {
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
      const groups = this.groups.get(c.id)!;
      let g = groups.get(key);
      if (!g) {
        if (this.live >= this.opts.maxGroups) {
          this.stats.groupsRefused++;
          continue;
        }
        g = { c, key, values, events: [], sorted: true, due: Number.POSITIVE_INFINITY };
        groups.set(key, g);
        this.live++;
      }
      const ev: GroupEvent = [t, input, e.eventID, measured];
      if (addEvent(g, ev)) this.touched.add(g);
    }
  }

  private advance(upTo: number): void {
    if (!Number.isFinite(upTo) || upTo <= this.maxSeen) return;
    const ceiling = this.now();
    const next = Math.min(upTo, Math.max(ceiling, this.maxSeen));
    if (next > this.maxSeen) {
      this.maxSeen = next;
      this.watermarkDirty = true;
    }
  }

  private save(g: Group, gone: boolean): void {
    this.dirty.add(g.key);
    this.kv.put(CORRELATION_NAMESPACE, g.key, gone ? undefined : (storedGroup(g) satisfies StoredGroup));
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
    const groups = this.groups.get(c.id)!;
    if (!groups.has(key)) this.live++;
    groups.set(key, {
      c,
      key,
      values: s.v,
      events: s.e,
      firedAt: s.f,
      sorted: false,
      due: Number.NEGATIVE_INFINITY,
    });
  }
}

function compareInput(a: CorrelationEvent, b: CorrelationEvent): number {
  return cmp(a.eventTime, b.eventTime) || cmp(a.ruleId, b.ruleId) || cmp(a.eventID, b.eventID);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
