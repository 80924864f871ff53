// Opens the one embedded database in state.dir (SQLite through libsql, which ships prebuilt
// binaries: better-sqlite3@12 compiles for minutes on `npm ci`, v13 crashes on Node 20). WAL with
// synchronous=FULL makes every commit durable on return. One process per state.dir: a second
// connection, to state.lock, holds SQLite's exclusive lock (an OS file lock, gone with the
// process) for as long as the store is open, so a second process is refused by SQLite itself and
// never by a pid that a recycled process could impersonate. It is a connection of its own because
// libsql keeps a connection alive while any prepared statement of it is (until garbage
// collection): the lock connection prepares nothing, so close() really releases it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "libsql";
import { StorageFault } from "../util/fs.ts";

export type Db = InstanceType<typeof Database>;

export const DB_FILE = "state.db";
const LOCK_FILE = "state.lock";

export interface OpenDb {
  db: Db;
  /** Holds the exclusive lock; close it to let another process in. */
  lock: Db;
}

export class StateLockedError extends Error {
  override name = "StateLockedError";
}

/** Schema versions, applied in order; `PRAGMA user_version` says how many ran. */
const MIGRATIONS: string[] = [
  `CREATE TABLE cursors (scope TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE files (key TEXT PRIMARY KEY, scope TEXT, at INTEGER NOT NULL, sig TEXT, bad TEXT) WITHOUT ROWID;
   CREATE INDEX files_scope ON files (scope, key);
   CREATE INDEX files_scope_at ON files (scope, at);
   CREATE TABLE emitted (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX emitted_at ON emitted (at);
   CREATE TABLE pending (file TEXT NOT NULL, id TEXT NOT NULL, rule TEXT NOT NULL, level TEXT NOT NULL,
     body TEXT NOT NULL, UNIQUE (file, id));
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, rule TEXT NOT NULL,
     level TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX outbox_at ON outbox (at);
   CREATE TABLE positions (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL, bytes INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
   CREATE TABLE quarantine (key TEXT PRIMARY KEY, scope TEXT, kind TEXT NOT NULL, reason TEXT NOT NULL,
     first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX quarantine_scope ON quarantine (scope, next_at);
   CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;`,
];

/** Open (creating) the database; StateLockedError when another process holds it. */
export function openDb(dir: string): OpenDb {
  mkdirSync(dir, { recursive: true });
  const lock = takeLock(dir);
  const file = join(dir, DB_FILE);
  let db: Db | undefined;
  try {
    db = new Database(file, { timeout: 5000 });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    migrate(db);
    return { db, lock };
  } catch (err) {
    quietClose(db);
    quietClose(lock);
    throw asStorageFault(err, file);
  }
}

function takeLock(dir: string): Db {
  const file = join(dir, LOCK_FILE);
  let lock: Db | undefined;
  try {
    lock = new Database(file, { timeout: 0 });
    lock.exec("PRAGMA locking_mode = EXCLUSIVE");
    // The exclusive lock is taken by the first write and kept until the connection closes.
    lock.exec("BEGIN IMMEDIATE");
    lock.exec("CREATE TABLE IF NOT EXISTS owner (since TEXT)");
    lock.exec("COMMIT");
    return lock;
  } catch (err) {
    quietClose(lock);
    if (sqliteCode(err)?.startsWith("SQLITE_BUSY") || sqliteCode(err)?.startsWith("SQLITE_LOCKED"))
      throw new StateLockedError(
        `state directory ${dir} is in use by another trailwarden process (${file} is locked)`,
      );
    throw asStorageFault(err, file);
  }
}

function quietClose(db: Db | undefined): void {
  try {
    db?.close();
  } catch {
    // the failure that got us here is what matters
  }
}

function migrate(db: Db): void {
  const version = Number(
    (db.prepare("PRAGMA user_version").get() as { user_version?: number }).user_version ?? 0,
  );
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN");
    try {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
}

export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** A full disk or an I/O error under the database becomes a StorageFault naming the file. */
export function asStorageFault(err: unknown, file: string): Error {
  const code = sqliteCode(err) ?? "";
  if (code.startsWith("SQLITE_FULL")) return new StorageFault(file, "ENOSPC", "disk full", err);
  if (code.startsWith("SQLITE_IOERR")) return new StorageFault(file, "EIO", "I/O error", err);
  if (code.startsWith("SQLITE_CANTOPEN")) return new StorageFault(file, "EACCES", "cannot open", err);
  if (code.startsWith("SQLITE_READONLY")) return new StorageFault(file, "EROFS", "read-only", err);
  return err instanceof Error ? err : new Error(String(err));
}
