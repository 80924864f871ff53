// File helpers whose writes are all-or-nothing: a reader never sees a half-written file.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Write to a temp file in the same folder, fsync, then rename over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomicChunks(file, [data]);
}

/** writeFileAtomic for content produced piece by piece (never held whole in memory). */
export function writeFileAtomicChunks(file: string, chunks: Iterable<string | Uint8Array>): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      for (const chunk of chunks) writeAll(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    fsyncDirQuiet(dir);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may not exist; the original error is what matters
    }
    throw err;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Append lines in one write and fsync before returning, so a line is on disk before anything that
 * depends on it (a cursor, a replaced report) is written after it.
 */
export function appendLinesDurable(file: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, "a");
  try {
    writeSync(fd, lines.map((l) => `${l}\n`).join(""));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Parse a JSON file, or undefined when it does not exist. */
export function readJsonIfExists<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

/**
 * A local storage fault (disk full, I/O error) under the state or output folder. The run stops
 * cleanly on it, exit 3, naming the path: nothing is marked done that was not written.
 */
export class StorageFault extends Error {
  override name = "StorageFault";
  constructor(
    readonly path: string,
    readonly code: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`${path}: ${reason} (${code})${cause instanceof Error ? `: ${cause.message}` : ""}`);
  }
}

const STORAGE_CODES: Record<string, string> = {
  ENOSPC: "disk full",
  EDQUOT: "disk quota exceeded",
  EIO: "I/O error",
  EROFS: "read-only file system",
};

/** A Node fs error that means the storage itself failed becomes a StorageFault; others pass. */
export function storageFault(err: unknown, path: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && STORAGE_CODES[code]) return new StorageFault(path, code, STORAGE_CODES[code], err);
  return err;
}

/** fsync a folder after a rename into it; a platform that cannot open folders skips it. */
function writeAll(fd: number, chunk: string | Uint8Array): void {
  const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

function fsyncDirQuiet(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some file systems refuse to fsync a folder; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
