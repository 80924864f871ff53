// The in-stream tracker's persistent state: JSON values in a small key-value store (the state
// store backs it; in memory for tests). Every value stays small, so a put per log file is cheap:
//   folder:<id>             per account × region folder of a bucket: the recent links of each
//                           digest chain and the periods digests decided about (bounded)
//   file:<bucket>/<key>     a pending log file: seen but not yet listed, or listed but not yet seen
//   hour:<id>:<hour start>  the pending log files of one delivery hour (the sweep's index)
//   folders, meta           the folder index; when tracking began
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
/** A pending log file, by its delivery minute `t`. */
export type PendingFile =
  | { kind: "seen"; t: number; at: number; hash?: string; corrupt?: string }
  | {
      kind: "expected";
      t: number;
      at: number;
      hash: string;
      digest: string;
      chain: string;
      bootstrap: boolean;
    };

export interface FolderState {
  id: string;
  bucket: string;
  account: string;
  region: string;
  chains: Record<string, ChainState>;
  periods: { start: number; end: number; chain: string }[];
  /** Delivery hours (start, ms) that have pending files. */
  hours: number[];
}

const MAX_PERIODS = 200;
const HOUR = 3_600_000;

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
  return { id, bucket, account, region, chains: {}, periods: [], hours: [] };
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

export function getPending(kv: KeyValueStore, bucket: string, key: string): PendingFile | undefined {
  return kv.get(NAMESPACE, `file:${bucket}/${key}`) as PendingFile | undefined;
}

const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;

/** Record a pending file; returns true when the folder state changed (a new hour). */
export function putPending(kv: KeyValueStore, st: FolderState, key: string, entry: PendingFile): boolean {
  const isNew = getPending(kv, st.bucket, key) === undefined;
  kv.put(NAMESPACE, `file:${st.bucket}/${key}`, entry);
  if (!isNew) return false;
  const h = hourOf(entry.t);
  const list = (kv.get(NAMESPACE, `hour:${st.id}:${h}`) as string[] | undefined) ?? [];
  kv.put(NAMESPACE, `hour:${st.id}:${h}`, [...list, key]);
  if (st.hours.includes(h)) return false;
  st.hours = [...st.hours, h].sort((a, b) => a - b);
  return true;
}

/** Forget a pending file; returns true when the folder state changed (an hour emptied). */
export function dropPending(kv: KeyValueStore, st: FolderState, key: string, t: number): boolean {
  kv.put(NAMESPACE, `file:${st.bucket}/${key}`, undefined);
  const h = hourOf(t);
  const list = ((kv.get(NAMESPACE, `hour:${st.id}:${h}`) as string[] | undefined) ?? []).filter(
    (k) => k !== key,
  );
  kv.put(NAMESPACE, `hour:${st.id}:${h}`, list.length ? list : undefined);
  if (list.length) return false;
  st.hours = st.hours.filter((x) => x !== h);
  return true;
}

/** The pending files delivered in [from, to] (every pending file without bounds). */
export function pendingFiles(
  kv: KeyValueStore,
  st: FolderState,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): [string, PendingFile][] {
  const out: [string, PendingFile][] = [];
  for (const h of st.hours) {
    if (h + HOUR < from || h > to) continue;
    for (const key of (kv.get(NAMESPACE, `hour:${st.id}:${h}`) as string[] | undefined) ?? []) {
      const e = getPending(kv, st.bucket, key);
      if (e && e.t >= from && e.t <= to) out.push([key, e]);
    }
  }
  return out;
}
