// The embedded progress store: cursors per S3 prefix, files processed (or found bad) that may be
// seen again, and recently emitted detection ids. It is a snapshot (state.json, replaced
// atomically) plus an append-only journal (journal.jsonl, one fsynced line per change). Every
// journal entry is idempotent, so replaying it on top of a snapshot that already holds it is
// harmless: a SIGKILL at any point loses at most the line being written, which is ignored.
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../util/fs.ts";
import { acquireLock, type Lock } from "./lock.ts";

export interface FileMark {
  /** When it was processed (ms since epoch). */
  at: number;
  /** Identity of the version processed (file://: size and mtime). */
  sig?: string;
  /** Why the file was found unusable; absent when it was read fine. */
  bad?: string;
}

interface Snapshot {
  version: 1;
  cursors: Record<string, string>;
  files: Record<string, FileMark>;
  emitted: Record<string, number>;
  detectionsOffset: number;
}

type JournalEntry =
  | { f: string; at: number; s?: string; b?: string; ids?: string[]; o?: number }
  | { c: string; v: string }
  | { e: string[]; at: number; o: number };

export interface StateStoreOptions {
  /** Compact when the journal holds this many entries. */
  compactEvery?: number;
}

const SNAPSHOT = "state.json";
const JOURNAL = "journal.jsonl";

export class StateStore {
  private readonly cursors = new Map<string, string>();
  private readonly files = new Map<string, FileMark>();
  private readonly emitted = new Map<string, number>();
  private offset = 0;
  private journalFd: number;
  private journalEntries = 0;
  private unsynced = false;
  private readonly compactEvery: number;

  private constructor(
    readonly dir: string,
    private readonly lock: Lock,
    opts: StateStoreOptions,
  ) {
    this.compactEvery = opts.compactEvery ?? 5000;
    this.load();
    this.journalFd = openSync(join(dir, JOURNAL), "a");
  }

  /** Open (creating) the store in `dir`; fails when another live process holds it. */
  static open(dir: string, opts: StateStoreOptions = {}): StateStore {
    mkdirSync(dir, { recursive: true });
    const lock = acquireLock(join(dir, "lock"));
    try {
      return new StateStore(dir, lock, opts);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  cursor(prefix: string): string | undefined {
    return this.cursors.get(prefix);
  }

  /** True when the key was processed (or found bad) in the version `sig`. */
  isDone(key: string, sig?: string): boolean {
    const m = this.files.get(key);
    return m !== undefined && (sig === undefined || m.sig === sig);
  }

  hasEmitted(id: string): boolean {
    return this.emitted.has(id);
  }

  /** Byte length of detections.jsonl covered by the journal (later lines need recovery). */
  get detectionsOffset(): number {
    return this.offset;
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** Move a cursor. The marks of the files it moves past are made durable first. */
  setCursor(prefix: string, value: string): void {
    if (this.cursors.get(prefix) === value) return;
    this.cursors.set(prefix, value);
    this.flush();
    this.append({ c: prefix, v: value });
  }

  /**
   * Mark a file done, with the ids of the detections just written and the log's new length. The
   * line is written at once (a killed process loses nothing) but fsynced in groups (flush(),
   * setCursor(), compact(), close()): the detections themselves are already fsynced, and a mark
   * lost to a machine crash only means the file is read again, its detections suppressed by id.
   */
  markFile(key: string, mark: FileMark, ids: string[] = [], detectionsOffset?: number): void {
    this.files.set(key, mark);
    for (const id of ids) this.emitted.set(id, mark.at);
    if (detectionsOffset !== undefined) this.offset = detectionsOffset;
    const entry: JournalEntry = { f: key, at: mark.at };
    if (mark.sig) entry.s = mark.sig;
    if (mark.bad) entry.b = mark.bad;
    if (ids.length) entry.ids = ids;
    if (detectionsOffset !== undefined) entry.o = detectionsOffset;
    this.append(entry, false);
  }

  /** Record ids found in the detections log past the journal (written just before a crash). */
  recordEmitted(ids: string[], detectionsOffset: number, at = Date.now()): void {
    for (const id of ids) this.emitted.set(id, at);
    this.offset = detectionsOffset;
    this.append({ e: ids, at, o: detectionsOffset });
  }

  /**
   * Write a fresh snapshot and empty the journal, dropping what can never be needed again:
   * emitted ids older than `emittedBefore`, and files for which `forgetFile` says so.
   */
  compact(
    prune: { emittedBefore?: number; forgetFile?: (key: string, mark: FileMark) => boolean } = {},
  ): void {
    if (prune.emittedBefore !== undefined)
      for (const [id, at] of this.emitted) if (at < prune.emittedBefore) this.emitted.delete(id);
    if (prune.forgetFile) for (const [k, m] of this.files) if (prune.forgetFile(k, m)) this.files.delete(k);
    const snapshot: Snapshot = {
      version: 1,
      cursors: Object.fromEntries(this.cursors),
      files: Object.fromEntries(this.files),
      emitted: Object.fromEntries(this.emitted),
      detectionsOffset: this.offset,
    };
    writeJsonAtomic(join(this.dir, SNAPSHOT), snapshot);
    // A crash here replays the old journal over the new snapshot: every entry is idempotent.
    ftruncateSync(this.journalFd, 0);
    fsyncSync(this.journalFd);
    this.journalEntries = 0;
    this.unsynced = false;
  }

  close(): void {
    this.flush();
    closeSync(this.journalFd);
    this.lock.release();
  }

  /** fsync journal lines written without it (file marks); a no-op when there are none. */
  flush(): void {
    if (!this.unsynced) return;
    fsyncSync(this.journalFd);
    this.unsynced = false;
  }

  private append(entry: JournalEntry, durable = true): void {
    writeSync(this.journalFd, `${JSON.stringify(entry)}\n`);
    if (durable) {
      fsyncSync(this.journalFd);
      this.unsynced = false;
    } else this.unsynced = true;
    if (++this.journalEntries >= this.compactEvery) this.compact();
  }

  private load(): void {
    const snapPath = join(this.dir, SNAPSHOT);
    let snap: Snapshot | undefined;
    try {
      snap = readJsonIfExists<Snapshot>(snapPath);
    } catch (err) {
      throw new Error(`state snapshot ${snapPath} is unreadable: ${(err as Error).message}`);
    }
    if (snap) {
      for (const [k, v] of Object.entries(snap.cursors ?? {})) this.cursors.set(k, v);
      for (const [k, v] of Object.entries(snap.files ?? {})) this.files.set(k, v);
      for (const [k, v] of Object.entries(snap.emitted ?? {})) this.emitted.set(k, v);
      this.offset = snap.detectionsOffset ?? 0;
    }
    const journalPath = join(this.dir, JOURNAL);
    if (!existsSync(journalPath)) return;
    const text = readFileSync(journalPath, "utf8");
    // Only newline-terminated lines were completely written; a partial last line is cut off.
    const complete = text.lastIndexOf("\n") + 1;
    let lineNo = 0;
    for (const line of text.slice(0, complete).split("\n")) {
      lineNo++;
      if (!line) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch (err) {
        throw new Error(`state journal ${journalPath}:${lineNo}:1: ${(err as Error).message}`);
      }
      this.apply(entry);
      this.journalEntries++;
    }
    if (complete < text.length) {
      const fd = openSync(journalPath, "r+");
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, complete)));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  private apply(e: JournalEntry): void {
    if ("f" in e) {
      const mark: FileMark = { at: e.at };
      if (e.s) mark.sig = e.s;
      if (e.b) mark.bad = e.b;
      this.files.set(e.f, mark);
      for (const id of e.ids ?? []) this.emitted.set(id, e.at);
      if (e.o !== undefined) this.offset = e.o;
    } else if ("c" in e) {
      this.cursors.set(e.c, e.v);
    } else if ("e" in e) {
      for (const id of e.e) this.emitted.set(id, e.at);
      this.offset = e.o;
    }
  }
}
