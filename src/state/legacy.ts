// One-time import of the state folder of trailwarden 0.1 (state.json + journal.jsonl, the
// detections-log offset, notify-<sink>.json delivery offsets, daemon.json run history) into the
// database. Nothing is re-emitted: every id in the old store or in detections.jsonl counts as
// emitted, and lines a sink had not yet delivered are queued for it in the outbox. The old files
// are then moved to legacy-<time>/ so the import runs once.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { StateStore } from "./store.ts";

export interface LegacyImport {
  /** The detections.jsonl the old store's offset refers to. */
  detectionsFile: string;
}

/** Consumer names of the outbox. */
export const DETECTIONS_CONSUMER = "detections.jsonl";
export const sinkConsumer = (sink: string) => `sink:${sink}`;

const SNAPSHOT = "state.json";
const JOURNAL = "journal.jsonl";
const RUN_HISTORY = "daemon.json";
const OLD_LOCKS = ["lock", "daemon.lock"];
const NOTIFY = /^notify-(.+)\.json$/;

interface OldMark {
  at: number;
  sig?: string;
  bad?: string;
}

interface OldState {
  cursors: Map<string, string>;
  files: Map<string, OldMark>;
  emitted: Map<string, number>;
  offset: number;
}

export function importLegacyState(store: StateStore, dir: string, opts?: LegacyImport): void {
  const names = readdirSync(dir);
  const sinkFiles = names.filter((n) => NOTIFY.test(n));
  const legacy = [SNAPSHOT, JOURNAL, RUN_HISTORY, ...OLD_LOCKS, ...sinkFiles].filter((n) =>
    names.includes(n),
  );
  if (!legacy.length) return;
  if (!store.kvGet<string>("meta", "legacyImported")) {
    const hasProgress = names.includes(SNAPSHOT) || names.includes(JOURNAL);
    // Without the output folder the detections-log offsets cannot be carried over: wait for a
    // command that knows it (scan, daemon) rather than import half.
    if (hasProgress && !opts) return;
    const old = readOld(dir);
    store.tx(() => {
      for (const [scope, value] of old.cursors) store.setCursor(scope, value);
      for (const [key, m] of old.files)
        store.run(
          "markFile",
          key,
          key.startsWith("file://") ? "file" : null,
          m.at,
          m.sig ?? null,
          m.bad ?? null,
        );
      for (const [id, at] of old.emitted) store.run("addEmitted", id, at);
      if (opts) carryDetectionsLog(store, dir, old.offset, opts.detectionsFile, sinkFiles);
      const history = readJson(join(dir, RUN_HISTORY));
      if (history) store.kvPut("daemon", "runs", history);
      store.kvPut("meta", "legacyImported", new Date().toISOString());
    });
  }
  const moved = join(dir, `legacy-${new Date().toISOString().replace(/[-:.]/g, "")}`);
  mkdirSync(moved, { recursive: true });
  for (const n of legacy) if (existsSync(join(dir, n))) renameSync(join(dir, n), join(moved, n));
}

/**
 * Every complete line of detections.jsonl is emitted. Lines past the old offset were written just
 * before a crash; lines past a sink's offset were not delivered to it yet: they go to the outbox
 * with the file's position after them and the sink's before them.
 */
function carryDetectionsLog(
  store: StateStore,
  dir: string,
  offset: number,
  file: string,
  sinkFiles: string[],
): void {
  const sinks = sinkFiles.map((n) => ({
    name: NOTIFY.exec(n)![1],
    offset: Number((readJson(join(dir, n)) as { offset?: number } | undefined)?.offset ?? 0),
  }));
  let text = "";
  if (existsSync(file)) text = readFileSync(file, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  const size = Buffer.byteLength(complete);
  const queueFrom = Math.min(offset, ...sinks.map((s) => s.offset), size);
  let at = 0;
  const lastSeqBefore = new Map<string, number>();
  let seq = store.outboxHead();
  for (const s of sinks) lastSeqBefore.set(s.name, seq);
  for (const line of complete.split("\n")) {
    const start = at;
    at += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    let d: { id?: unknown; ruleId?: unknown; level?: unknown };
    try {
      d = JSON.parse(line);
    } catch {
      continue; // not a detection of ours
    }
    if (typeof d.id !== "string") continue;
    store.run("addEmitted", d.id, Date.now());
    if (start < queueFrom) continue;
    store.run("addOutbox", d.id, String(d.ruleId ?? ""), String(d.level ?? ""), Date.now(), line);
    seq = store.outboxHead();
    for (const s of sinks) if (start < s.offset) lastSeqBefore.set(s.name, seq);
  }
  store.setPosition(DETECTIONS_CONSUMER, { seq, bytes: size });
  for (const s of sinks)
    store.setPosition(sinkConsumer(s.name), { seq: lastSeqBefore.get(s.name)!, bytes: 0 });
}

function readOld(dir: string): OldState {
  const state: OldState = { cursors: new Map(), files: new Map(), emitted: new Map(), offset: 0 };
  const snap = readJson(join(dir, SNAPSHOT)) as
    | {
        cursors?: Record<string, string>;
        files?: Record<string, OldMark>;
        emitted?: Record<string, number>;
        detectionsOffset?: number;
      }
    | undefined;
  if (snap) {
    for (const [k, v] of Object.entries(snap.cursors ?? {})) state.cursors.set(k, v);
    for (const [k, v] of Object.entries(snap.files ?? {})) state.files.set(k, v);
    for (const [k, v] of Object.entries(snap.emitted ?? {})) state.emitted.set(k, v);
    state.offset = snap.detectionsOffset ?? 0;
  }
  const journal = join(dir, JOURNAL);
  if (!existsSync(journal) || statSync(journal).size === 0) return state;
  const text = readFileSync(journal, "utf8");
  // Only newline-terminated lines were completely written.
  for (const line of text.slice(0, text.lastIndexOf("\n") + 1).split("\n")) {
    if (!line) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof e.f === "string") {
      const m: OldMark = { at: Number(e.at) };
      if (typeof e.s === "string") m.sig = e.s;
      if (typeof e.b === "string") m.bad = e.b;
      state.files.set(e.f, m);
      for (const id of (e.ids as string[] | undefined) ?? []) state.emitted.set(id, Number(e.at));
      if (typeof e.o === "number") state.offset = e.o;
    } else if (typeof e.c === "string") {
      state.cursors.set(e.c, String(e.v));
    } else if (Array.isArray(e.e)) {
      for (const id of e.e as string[]) state.emitted.set(id, Number(e.at));
      if (typeof e.o === "number") state.offset = e.o;
    }
  }
  return state;
}

function readJson(file: string): unknown {
  try {
    const text = readFileSync(file, "utf8");
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
