// The state of stateful judges (log integrity's tracker) in the state store, written in the same
// transaction as the file whose reading changed it. Puts are buffered and applied by the next
// commit; reads see the buffer first. A file's judge runs and its commit follows with no await in
// between, so the buffer always belongs to the file being committed.
import type { KeyValueStore } from "../integrity/stream-state.ts";
import type { StateStore } from "../state/store.ts";

export class BufferedKeyValueStore implements KeyValueStore {
  private readonly pending = new Map<string, { ns: string; key: string; value: unknown }>();

  constructor(private readonly store: StateStore) {}

  get(ns: string, key: string): unknown | undefined {
    const p = this.pending.get(`${ns}\u0000${key}`);
    if (p) return p.value === undefined ? undefined : structuredClone(p.value);
    return this.store.kvGet(ns, key);
  }

  put(ns: string, key: string, value: unknown): void {
    this.pending.set(`${ns}\u0000${key}`, {
      ns,
      key,
      value: value === undefined ? undefined : structuredClone(value),
    });
  }

  /** Write the buffered puts; called inside a commit's transaction. */
  flush(): void {
    for (const p of this.pending.values()) this.store.kvPut(p.ns, p.key, p.value);
    this.pending.clear();
  }

  /** The commit failed: what was buffered for it is dropped with it. */
  discard(): void {
    this.pending.clear();
  }
}
