// Rotation of the append-only JSON-lines outputs (detections.jsonl, events.jsonl): the current file
// is renamed to <name>-<YYYY-MM-DD>[-N].jsonl when it reaches a size or when its last write was on
// an earlier UTC day. Retention (daemon/retention.ts) removes rotated files by age.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface RotationPolicy {
  /** Rotate once the file holds this many bytes. */
  maxBytes: number;
  /** Rotate when the last write was on an earlier UTC day. */
  daily: boolean;
}

const day = (t: Date) => t.toISOString().slice(0, 10);

/** Rotate `file` when the policy says so; returns the rotated name, or undefined. */
export function rotateIfDue(file: string, now: Date, policy: RotationPolicy): string | undefined {
  let size: number;
  let mtime: Date;
  try {
    const st = statSync(file);
    size = st.size;
    mtime = st.mtime;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  const stale = policy.daily && day(mtime) < day(now);
  if (!stale && size < policy.maxBytes) return undefined;
  const dir = dirname(file);
  const stem = basename(file).replace(/\.jsonl$/, "");
  let target = join(dir, `${stem}-${day(mtime)}.jsonl`);
  for (let n = 2; existsSync(target); n++) target = join(dir, `${stem}-${day(mtime)}-${n}.jsonl`);
  renameSync(file, target);
  fsyncDir(dir);
  return target;
}

/** Make a rename durable: fsync the folder that holds it. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The day of a rotated file's name (`detections-2026-11-28-2.jsonl` → 2026-11-28), or undefined. */
export function rotatedFileDay(name: string, stems: readonly string[]): Date | undefined {
  const m = /^([a-z]+)-(\d{4}-\d{2}-\d{2})(?:-\d+)?\.jsonl$/.exec(name);
  if (!m || !stems.includes(m[1])) return undefined;
  return new Date(`${m[2]}T00:00:00Z`);
}
