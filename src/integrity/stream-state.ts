// The in-stream tracker's persistent state: JSON values in a small key-value store (the state
// store backs it; in memory for tests). Per account × region folder of a bucket: the recent links
// of each digest chain, the periods digests decided about, log files seen but not yet listed and
// log files listed but not yet seen.
import type { DigestKeyParts } from "./digest.ts";

/** Where the tracker keeps its state: JSON values by namespace and key (the state store's kv). */
export interface KeyValueStore {
  get(namespace: string, key: string): unknown | undefined;
  put(namespace: string, key: string, value: unknown): void;
}

/** In memory, with JSON copies so a caller cannot change what is stored (as a database would). */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly data = new Map<string, string>();
  get(namespace: string, key: string): unknown | undefined {
    const v = this.data.get(`${namespace}\u0000${key}`);
    return v === undefined ? undefined : JSON.parse(v);
  }
  put(namespace: string, key: string, value: unknown): void {
    if (value === undefined) this.data.delete(`${namespace}\u0000${key}`);
    else this.data.set(`${namespace}\u0000${key}`, JSON.stringify(value));
  }
}

export const NAMESPACE = "integrity";

export interface Link {
  key: string;
  start: number;
  end: number;
  hash: string;
  signature: string;
}
export interface Awaiting {
  prevKey: string;
  successor: string;
  successorStart: number;
  prevHash: string | null;
  prevSignature: string | null;
  since: number;
}
export interface ChainState {
  parts: Omit<DigestKeyParts, "time">;
  trail: string;
  recent: Link[];
  /** Recent digests found invalid: a successor naming one of them is not left waiting for it. */
  invalid: string[];
  awaiting: Awaiting[];
  /** The key of an inferred missing newest digest, until the chain goes on. */
  inferredMissing?: string;
}
/** A log file read by the scan: the hash of its content (or why it does not inflate), its delivery minute, when it was read. */
export interface Seen {
  hash?: string;
  corrupt?: string;
  t: number;
  at: number;
}
export interface FolderState {
  id: string;
  bucket: string;
  account: string;
  region: string;
  chains: Record<string, ChainState>;
  periods: { start: number; end: number; chain: string }[];
  /** Log files seen, not yet listed by a valid digest. */
  seen: Record<string, Seen>;
  /** Log files listed by a valid digest, not yet seen. */
  expected: Record<string, { hash: string; digest: string; chain: string; at: number; bootstrap: boolean }>;
}

const MAX_PERIODS = 400;

/** A folder's state, or a new one (registered in the folder index so the sweep finds it). */
export function loadFolder(
  kv: KeyValueStore,
  bucket: string,
  root: string,
  account: string,
  region: string,
): FolderState {
  const id = `${bucket}/${root}${account}/${region}`;
  const got = kv.get(NAMESPACE, `folder:${id}`) as FolderState | undefined;
  if (got) return got;
  const folders = (kv.get(NAMESPACE, "folders") as string[] | undefined) ?? [];
  kv.put(NAMESPACE, "folders", [...folders, id]);
  return { id, bucket, account, region, chains: {}, periods: [], seen: {}, expected: {} };
}

export function saveFolder(kv: KeyValueStore, st: FolderState): void {
  if (st.periods.length > MAX_PERIODS)
    st.periods = st.periods.sort((a, b) => a.end - b.end).slice(-MAX_PERIODS);
  kv.put(NAMESPACE, `folder:${st.id}`, st);
}

/** Every folder the tracker knows, with its state. */
export function* folders(kv: KeyValueStore): Generator<FolderState> {
  for (const id of (kv.get(NAMESPACE, "folders") as string[] | undefined) ?? []) {
    const st = kv.get(NAMESPACE, `folder:${id}`) as FolderState | undefined;
    if (st) yield st;
  }
}
