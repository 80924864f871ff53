// The one durable store: everything that must survive a crash lives in one SQLite database in
// state.dir (db.ts): S3 cursors, the marks of files done (or found bad), the quarantine of files
// that could not be read, the ids of emitted detections, the outbox of detections that
// detections.jsonl and every sink read from their own positions, and small keyed values (run
// history, integrity chains). A log file is committed in one transaction: its mark, its new
// detections in the outbox and their ids, so a crash at any point leaves either all or nothing.
import type { Statement } from "libsql";
import { asStorageFault, DB_FILE, type Db, openDb } from "./db.ts";
import { importLegacyState, type LegacyImport } from "./legacy.ts";

export { StateLockedError } from "./db.ts";
export { DETECTIONS_CONSUMER, type LegacyImport, sinkConsumer } from "./legacy.ts";

export interface FileMark {
  /** When it was processed (ms since epoch). */
  at: number;
  /** Identity of the version processed (file://: size and mtime). */
  sig?: string;
  /** Why the file was found unusable; absent when it was read fine. */
  bad?: string;
}

/** A detection as the store keeps it: its id, what counts it, and its JSON line. */
export interface StoredDetection {
  id: string;
  ruleId: string;
  level: string;
  body: string;
}

export interface CommitResult {
  /** Detections not emitted before, now in the outbox. */
  fresh: number;
  /** Detections whose id was emitted earlier (another file, an earlier run). */
  duplicates: number;
  byRule: Record<string, number>;
  byLevel: Record<string, number>;
  /** Outbox sequence numbers of the fresh detections (first > last when none). */
  firstSeq: number;
  lastSeq: number;
}

export type FailureKind = "transient" | "permanent";

export interface QuarantineEntry {
  key: string;
  scope?: string;
  kind: FailureKind;
  reason: string;
  firstAt: number;
  lastAt: number;
  attempts: number;
  nextAt: number;
}

export interface OutboxRow {
  seq: number;
  id: string;
  level: string;
  /** When it was committed (ms since epoch). */
  at: number;
  body: string;
}

export interface Position {
  seq: number;
  /** Consumers writing a file keep its length here, to recover a write cut by a crash. */
  bytes: number;
}

export interface StoreCounts {
  files: number;
  emitted: number;
  outbox: number;
  quarantined: number;
}

export interface OpenOptions {
  /** An older state folder (state.json + journal.jsonl) is imported once, with these outputs. */
  legacy?: LegacyImport;
}

/** Detections buffered per file before they spill into the pending table. */
const SPILL_AT = 512;

type Row = Record<string, unknown>;

export class StateStore {
  private readonly s: Record<string, Statement>;
  private closed = false;
  private grouped = false;

  private constructor(
    readonly dir: string,
    private readonly db: Db,
    private readonly lock: Db,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      cursor: p("SELECT value FROM cursors WHERE scope = ?"),
      setCursor: p(
        "INSERT INTO cursors (scope, value) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET value = excluded.value",
      ),
      file: p("SELECT at, sig, bad FROM files WHERE key = ?"),
      markFile: p(
        "INSERT INTO files (key, scope, at, sig, bad) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET scope = excluded.scope, at = excluded.at, sig = excluded.sig, bad = excluded.bad",
      ),
      hasEmitted: p("SELECT 1 AS x FROM emitted WHERE id = ?"),
      addEmitted: p("INSERT OR IGNORE INTO emitted (id, at) VALUES (?, ?)"),
      addOutbox: p("INSERT INTO outbox (id, rule, level, at, body) VALUES (?, ?, ?, ?, ?)"),
      addPending: p("INSERT OR IGNORE INTO pending (file, id, rule, level, body) VALUES (?, ?, ?, ?, ?)"),
      pendingCount: p("SELECT count(*) AS n FROM pending WHERE file = ?"),
      freshCounts: p(
        "SELECT rule, level, count(*) AS n FROM pending WHERE file = ? AND id NOT IN (SELECT id FROM emitted) GROUP BY rule, level",
      ),
      outboxSeq: p("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) AS seq"),
      moveToOutbox: p(
        "INSERT INTO outbox (id, rule, level, at, body) SELECT id, rule, level, ?, body FROM pending WHERE file = ? AND id NOT IN (SELECT id FROM emitted) ORDER BY rowid",
      ),
      emitFromPending: p("INSERT OR IGNORE INTO emitted (id, at) SELECT id, ? FROM pending WHERE file = ?"),
      clearPending: p("DELETE FROM pending WHERE file = ?"),
      unquarantine: p("DELETE FROM quarantine WHERE key = ?"),
      quarantined: p("SELECT * FROM quarantine WHERE key = ?"),
      upsertQuarantine: p(
        "INSERT INTO quarantine (key, scope, kind, reason, first_at, last_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, last_at = excluded.last_at, attempts = attempts + 1, next_at = excluded.next_at",
      ),
      dueQuarantine: p(
        "SELECT * FROM quarantine WHERE scope >= ? AND scope < ? AND next_at <= ? AND last_at < ? ORDER BY key LIMIT ?",
      ),
      listQuarantine: p("SELECT * FROM quarantine ORDER BY key LIMIT ?"),
      outboxAfter: p("SELECT seq, id, level, at, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
      outboxRange: p("SELECT seq, id, level, at, body FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq"),
      outboxMin: p("SELECT coalesce(min(seq), 0) AS seq FROM outbox"),
      position: p("SELECT seq, bytes FROM positions WHERE consumer = ?"),
      setPosition: p(
        "INSERT INTO positions (consumer, seq, bytes) VALUES (?, ?, ?) ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, bytes = excluded.bytes",
      ),
      kvGet: p("SELECT value FROM kv WHERE ns = ? AND key = ?"),
      kvPut: p(
        "INSERT INTO kv (ns, key, value) VALUES (?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value",
      ),
      kvDelete: p("DELETE FROM kv WHERE ns = ? AND key = ?"),
      kvEntries: p("SELECT key, value FROM kv WHERE ns = ? ORDER BY key"),
    };
  }

  /** Open (creating) the store in `dir`; StateLockedError when another process holds it. */
  static open(dir: string, opts: OpenOptions = {}): StateStore {
    const { db, lock } = openDb(dir);
    const store = new StateStore(dir, db, lock);
    try {
      importLegacyState(store, dir, opts.legacy);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  get file(): string {
    return `${this.dir}/${DB_FILE}`;
  }

  cursor(scope: string): string | undefined {
    return this.get("cursor", scope)?.value as string | undefined;
  }

  setCursor(scope: string, value: string): void {
    this.run("setCursor", scope, value);
  }

  /** The mark of a file done (or found bad), if any. */
  mark(key: string): FileMark | undefined {
    const r = this.get("file", key);
    if (!r) return undefined;
    const m: FileMark = { at: Number(r.at) };
    if (r.sig != null) m.sig = String(r.sig);
    if (r.bad != null) m.bad = String(r.bad);
    return m;
  }

  /** True when the key was processed (or found bad) in the version `sig`. */
  isDone(key: string, sig?: string): boolean {
    const m = this.mark(key);
    return m !== undefined && (sig === undefined || m.sig === sig);
  }

  hasEmitted(id: string): boolean {
    return this.get("hasEmitted", id) !== undefined;
  }

  /** Start committing one file: add its detections as they are found, then commit or abort. */
  beginFile(key: string, scope?: string): FileWriter {
    return new FileWriter(this, key, scope);
  }

  /** Record a file that could not be read; `nextAt` is when to try it again. */
  quarantine(e: {
    key: string;
    scope?: string;
    kind: FailureKind;
    reason: string;
    at: number;
    nextAt: number;
  }) {
    this.run("upsertQuarantine", e.key, e.scope ?? null, e.kind, e.reason, e.at, e.at, e.nextAt);
    return this.quarantineEntry(e.key)!;
  }

  quarantineEntry(key: string): QuarantineEntry | undefined {
    const r = this.get("quarantined", key);
    return r ? toQuarantine(r) : undefined;
  }

  /**
   * Quarantined keys whose scope starts with `scopePrefix` and whose retry time has come; a key
   * that failed in this run (at `now`) waits for the next one.
   */
  dueForRetry(scopePrefix: string, now: number, limit = 1000): QuarantineEntry[] {
    return this.rows("dueQuarantine", scopePrefix, `${scopePrefix}\uffff`, now, now, limit).map(toQuarantine);
  }

  quarantineCount(): number {
    return this.count("quarantine");
  }

  /** What is in quarantine now (the first `limit` keys). */
  quarantined(limit = 200): QuarantineEntry[] {
    return this.rows("listQuarantine", limit).map(toQuarantine);
  }

  /** Give up on a quarantined key: it stays reported as bad, and is no longer retried. */
  release(key: string, mark: FileMark, scope?: string): void {
    this.tx(() => {
      this.run("unquarantine", key);
      this.run("markFile", key, scope ?? null, mark.at, mark.sig ?? null, mark.bad ?? null);
    });
  }

  /** The next detections after `seq`, oldest first. */
  outboxAfter(seq: number, limit: number): OutboxRow[] {
    return this.rows("outboxAfter", seq, limit).map(toOutbox);
  }

  /** The outbox rows in [first, last], in order (a commit's fresh detections). */
  *outboxRange(first: number, last: number): Generator<OutboxRow> {
    if (first > last) return;
    try {
      for (const r of this.s.outboxRange.iterate(first, last) as Iterable<Row>) yield toOutbox(r);
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  /** The last sequence number the outbox has handed out. */
  outboxHead(): number {
    return Number(this.get("outboxSeq")?.seq ?? 0);
  }

  /** A consumer's position; a new consumer starts before the oldest detection still kept. */
  position(consumer: string): Position {
    const r = this.get("position", consumer);
    if (r) return { seq: Number(r.seq), bytes: Number(r.bytes) };
    const min = Number(this.get("outboxMin")?.seq ?? 0);
    return { seq: min > 0 ? min - 1 : this.outboxHead(), bytes: 0 };
  }

  setPosition(consumer: string, pos: Position): void {
    this.run("setPosition", consumer, pos.seq, pos.bytes);
  }

  kvGet<T>(ns: string, key: string): T | undefined {
    const r = this.get("kvGet", ns, key);
    return r ? (JSON.parse(String(r.value)) as T) : undefined;
  }

  kvPut(ns: string, key: string, value: unknown): void {
    if (value === undefined) this.run("kvDelete", ns, key);
    else this.run("kvPut", ns, key, JSON.stringify(value));
  }

  /** Every key and value of a namespace (a stateful judge restoring itself at start). */
  kvEntries(ns: string): [string, unknown][] {
    return this.rows("kvEntries", ns).map((r) => [String(r.key), JSON.parse(String(r.value))]);
  }

  /** Forget the marks of `scope` at or below `upTo`: no listing reaches them again. */
  forgetFilesUpTo(scope: string, upTo: string): number {
    return this.exec("DELETE FROM files WHERE scope = ? AND key <= ?", scope, upTo);
  }

  /** Forget the marks of `scope` (null: marks with no scope) older than `before`. */
  forgetFilesBefore(before: number, scope: string | null): number {
    if (scope === null) return this.exec("DELETE FROM files WHERE scope IS NULL AND at < ?", before);
    return this.exec("DELETE FROM files WHERE scope = ? AND at < ?", scope, before);
  }

  /** True once any file was marked: the store already holds a scan's history. */
  hasFiles(): boolean {
    return this.query("SELECT 1 AS x FROM files LIMIT 1").length > 0;
  }

  /** Keys marked under `scope` (a file:// folder), for dropping the marks of files gone. */
  fileKeys(scope: string): string[] {
    return this.query("SELECT key FROM files WHERE scope = ?", scope).map((r) => String(r.key));
  }

  forgetFile(key: string): void {
    this.exec("DELETE FROM files WHERE key = ?", key);
  }

  /** Drop emitted ids older than `before` (the retention), and outbox rows every consumer has. */
  prune(opts: { emittedBefore: number; consumers: readonly string[]; outboxBefore?: number }): void {
    this.tx(() => {
      this.exec("DELETE FROM emitted WHERE at < ?", opts.emittedBefore);
      const known = opts.consumers.map((c) => this.position(c).seq);
      const done = known.length ? Math.min(...known) : this.outboxHead();
      this.exec("DELETE FROM outbox WHERE seq <= ?", done);
      // A consumer that never comes back (a sink removed from the config) cannot hold rows for ever.
      this.exec("DELETE FROM outbox WHERE at < ?", opts.outboxBefore ?? opts.emittedBefore);
    });
  }

  counts(): StoreCounts {
    return {
      files: this.count("files"),
      emitted: this.count("emitted"),
      outbox: this.count("outbox"),
      quarantined: this.count("quarantine"),
    };
  }

  close(): void {
    if (this.closed) return;
    // An open group was never committed: it is lost, as a crash would lose it.
    this.rollbackGroup();
    this.closed = true;
    for (const c of [this.db, this.lock]) {
      try {
        c.close();
      } catch {
        // closing after a storage fault: nothing more to save
      }
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`the state store ${this.file} is closed`);
  }

  // --- for FileWriter and the legacy import ---

  /**
   * Run `fn` in one transaction; a storage error becomes a StorageFault naming the database. Inside
   * an open group it is a savepoint of the group: all of `fn` or none of it joins the group.
   */
  tx<T>(fn: () => T): T {
    this.ensureOpen();
    try {
      if (!this.grouped) return this.db.transaction(fn)();
      this.db.exec("SAVEPOINT file");
      let result: T;
      try {
        result = fn();
      } catch (err) {
        this.db.exec("ROLLBACK TO file");
        this.db.exec("RELEASE file");
        throw err;
      }
      this.db.exec("RELEASE file");
      return result;
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  // --- group commit: several files' transactions made durable by one commit (one WAL sync) ---

  /** True while a group is open: every write joins it and becomes durable at commitGroup(). */
  get inGroup(): boolean {
    return this.grouped;
  }

  /** Open a group. Until commitGroup() nothing written is durable; a crash loses the whole group. */
  beginGroup(): void {
    this.ensureOpen();
    if (this.grouped) return;
    try {
      this.db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
    this.grouped = true;
  }

  /** Make the group durable. On failure the whole group is rolled back and a StorageFault thrown. */
  commitGroup(): void {
    if (!this.grouped) return;
    this.grouped = false;
    try {
      this.db.exec("COMMIT");
    } catch (err) {
      this.rollbackQuiet();
      throw asStorageFault(err, this.file);
    }
  }

  /** Forget the open group (after a fault, or at close without a commit). */
  rollbackGroup(): void {
    if (!this.grouped) return;
    this.grouped = false;
    this.rollbackQuiet();
  }

  private rollbackQuiet(): void {
    try {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    } catch {
      // the connection is unusable; closing it rolls back what is left
    }
  }

  run(name: string, ...args: unknown[]): number {
    this.ensureOpen();
    try {
      return Number(this.s[name].run(...args).changes);
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  get(name: string, ...args: unknown[]): Row | undefined {
    this.ensureOpen();
    try {
      return (this.s[name].get(...args) as Row | undefined) ?? undefined;
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  rows(name: string, ...args: unknown[]): Row[] {
    this.ensureOpen();
    try {
      return this.s[name].all(...args) as Row[];
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  private count(table: "files" | "emitted" | "outbox" | "quarantine"): number {
    return Number(this.query(`SELECT count(*) AS n FROM ${table}`)[0]?.n ?? 0);
  }

  /** An ad-hoc read, guarded like the prepared ones. */
  private query(sql: string, ...args: unknown[]): Row[] {
    this.ensureOpen();
    try {
      return this.db.prepare(sql).all(...args) as Row[];
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }

  private exec(sql: string, ...args: unknown[]): number {
    this.ensureOpen();
    try {
      return Number(this.db.prepare(sql).run(...args).changes);
    } catch (err) {
      throw asStorageFault(err, this.file);
    }
  }
}

/**
 * One file's commit. Detections are buffered and spill into the pending table past SPILL_AT, so a
 * file with 400k matches costs bounded memory; commit() moves them to the outbox, skipping ids
 * emitted before, and marks the file, all in one transaction.
 */
export class FileWriter {
  private buffer: StoredDetection[] = [];
  private spilled = false;
  private added = 0;
  private closed = false;

  constructor(
    private readonly store: StateStore,
    readonly key: string,
    private readonly scope?: string,
  ) {}

  add(d: StoredDetection): void {
    this.buffer.push(d);
    this.added++;
    if (this.buffer.length >= SPILL_AT) {
      this.store.tx(() => this.flush());
      this.spilled = true;
    }
  }

  /** Mark the file done (bad with mark.bad); `also` runs inside the same transaction. */
  commit(mark: FileMark, also?: () => void): CommitResult {
    this.closed = true;
    const result: CommitResult = {
      fresh: 0,
      duplicates: 0,
      byRule: {},
      byLevel: {},
      firstSeq: 1,
      lastSeq: 0,
    };
    this.store.tx(() => {
      if (this.added) {
        this.flush();
        const total = Number(this.store.get("pendingCount", this.key)?.n ?? 0);
        for (const r of this.store.rows("freshCounts", this.key)) {
          const n = Number(r.n);
          result.fresh += n;
          result.byRule[String(r.rule)] = (result.byRule[String(r.rule)] ?? 0) + n;
          result.byLevel[String(r.level)] = (result.byLevel[String(r.level)] ?? 0) + n;
        }
        result.duplicates = total - result.fresh;
        result.firstSeq = Number(this.store.get("outboxSeq")?.seq ?? 0) + 1;
        if (result.fresh) this.store.run("moveToOutbox", mark.at, this.key);
        result.lastSeq = result.firstSeq + result.fresh - 1;
        this.store.run("emitFromPending", mark.at, this.key);
        this.store.run("clearPending", this.key);
      }
      this.store.run("unquarantine", this.key);
      this.store.run("markFile", this.key, this.scope ?? null, mark.at, mark.sig ?? null, mark.bad ?? null);
      also?.();
    });
    return result;
  }

  /** Forget what was added; the file stays not done. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    if (this.spilled) this.store.run("clearPending", this.key);
  }

  private flush(): void {
    for (const d of this.buffer) this.store.run("addPending", this.key, d.id, d.ruleId, d.level, d.body);
    this.buffer = [];
  }
}

function toQuarantine(r: Row): QuarantineEntry {
  const e: QuarantineEntry = {
    key: String(r.key),
    kind: r.kind as FailureKind,
    reason: String(r.reason),
    firstAt: Number(r.first_at),
    lastAt: Number(r.last_at),
    attempts: Number(r.attempts),
    nextAt: Number(r.next_at),
  };
  if (r.scope != null) e.scope = String(r.scope);
  return e;
}

function toOutbox(r: Row): OutboxRow {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    level: String(r.level),
    at: Number(r.at),
    body: String(r.body),
  };
}
