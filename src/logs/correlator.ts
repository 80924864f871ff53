// What ingestion needs from a correlation engine. Structural, like Detector: rules/correlation's
// CorrelationEngine satisfies it, and cli/ or daemon/ wire the two together.
//
// The engine's input is one CorrelationEventLike per base-rule match, computed where the record is
// (RuleMatch.correlation.project, in processLogFile or a worker) and carried on the Detection as
// `correlationInput`. The engine runs on the main thread at the file's commit (CorrelatingCommitter).

export interface CorrelationEventLike {
  ruleId: string;
  eventID: string;
  eventTime: string;
  values: Record<string, string | number | null>;
}

/** The correlation part of a correlation detection. */
export interface CorrelationDetail {
  type: string;
  timespan: string;
  groupBy: Record<string, string | number | null>;
  window: { start: string; end: string };
  /** The count, number of distinct values, sum, ... that met the condition. */
  value: number;
  condition: Record<string, number | string>;
  /** Events in the window that met the condition. */
  eventCount: number;
  /** The first contributing eventIDs (logs.correlation.maxEventIds). */
  eventIDs: string[];
  /** value_count: the distinct values counted (at most logs.correlation.maxEventIds). */
  values?: string[];
}

/** What a correlation firing carries into its detection: the rule, the detail, and whether it emits. */
export interface CorrelationFiringLike extends CorrelationDetail {
  id: string;
  ruleId: string;
  title: string;
  level: string;
  tags: string[];
  description?: string;
  falsepositives?: string[];
  references?: string[];
  emit: boolean;
}

export interface CorrelationCounters {
  events: number;
  fired: number;
  late: number;
  ungrouped: number;
  groupsRefused: number;
  truncated: number;
  liveGroups: number;
}

export interface Correlator {
  /**
   * One file's events; the firings they cause. `upTo`: the latest eventTime (ms) of the files given so
   * far in their listed order without a gap (the watermark follows it, not the commit order). State
   * changes go to the key-value store given at creation.
   */
  consume(events: readonly CorrelationEventLike[], upTo?: number): CorrelationFiringLike[];
  /** The file's commit (with the state) succeeded. */
  committed(): void;
  /** The file's commit failed: forget the in-memory changes made since the last commit. */
  rollback(): void;
  /** No more input (a one-off scan): decide every window and return what fired. */
  finish?(): CorrelationFiringLike[];
  readonly stats: CorrelationCounters;
}

/** The key-value store a correlator keeps its state in: puts are committed with the file's transaction. */
export interface CorrelatorStore {
  get(ns: string, key: string): unknown;
  put(ns: string, key: string, value: unknown): void;
  /** What a namespace holds (committed), to restore from at start. */
  entries(ns: string): Iterable<[string, unknown]>;
}

/** How a scan builds its correlator over its key-value store. */
export type CorrelatorFactory = (kv: CorrelatorStore) => Correlator;

/** An in-memory CorrelatorStore, for one-off scans (no state survives them). */
export class MemoryCorrelatorStore implements CorrelatorStore {
  private readonly data = new Map<string, Map<string, string>>();
  get(ns: string, key: string): unknown {
    const v = this.data.get(ns)?.get(key);
    return v === undefined ? undefined : JSON.parse(v);
  }
  put(ns: string, key: string, value: unknown): void {
    let m = this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    if (value === undefined) m.delete(key);
    else m.set(key, JSON.stringify(value));
  }
  /** How many keys a namespace holds. */
  size(ns: string): number {
    return this.data.get(ns)?.size ?? 0;
  }
  *entries(ns: string): Iterable<[string, unknown]> {
    for (const [k, v] of this.data.get(ns) ?? []) yield [k, JSON.parse(v)];
  }
}
