// Removes audit reports and rotated detections/events files older than output.retentionDays, and
// temp files left by a write that was interrupted (a crash between writing the temp file and
// renaming it). latest-*.json and the current events.jsonl and detections.jsonl are kept.
import { readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { rotatedFileDay } from "../util/rotate.ts";
import { auditFileTime } from "./outputs.ts";

/** The rotated JSON-lines outputs (detections-2026-11-28.jsonl, events-2026-11-28.jsonl). */
const ROTATED = ["detections", "events"];

const DAY_MS = 86_400_000;
/** A temp file this old belongs to no write in progress. */
const STALE_TEMP_MS = 3_600_000;

export interface Removal {
  file: string;
  reason: "expired" | "stale-temp";
}

/** The files to remove; pure over a listing so it can be tested without a clock. */
export function expiredFiles(
  entries: readonly { name: string; mtimeMs: number }[],
  now: Date,
  retentionDays: number | undefined,
): Removal[] {
  const out: Removal[] = [];
  for (const e of entries) {
    if (/^\..+\.tmp$/.test(e.name)) {
      if (now.getTime() - e.mtimeMs > STALE_TEMP_MS) out.push({ file: e.name, reason: "stale-temp" });
      continue;
    }
    if (retentionDays === undefined) continue;
    const at = auditFileTime(e.name) ?? rotatedFileDay(e.name, ROTATED);
    if (at && now.getTime() - at.getTime() > retentionDays * DAY_MS)
      out.push({ file: e.name, reason: "expired" });
  }
  return out;
}

export function applyRetention(dir: string, now: Date, retentionDays: number | undefined): Removal[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const entries = names.flatMap((name) => {
    try {
      return [{ name, mtimeMs: statSync(join(dir, name)).mtimeMs }];
    } catch {
      return []; // removed meanwhile
    }
  });
  const removals = expiredFiles(entries, now, retentionDays);
  for (const r of removals) {
    try {
      unlinkSync(join(dir, r.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return removals;
}
