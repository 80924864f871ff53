// file://<dir>: local .json, .json.gz, .jsonl, .ndjson (optionally .gz) files, read recursively,
// each tracked by path, size and mtime, so a changed file is read again and an unchanged one not.
// An entry that cannot be a log (a dangling symlink, a symlink loop, a FIFO, an unreadable file or
// folder) is reported by path and skipped; the rest of the folder is read.
import { constants } from "node:fs";
import { access, lstat, readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { StateStore } from "../../state/store.ts";
import { forEachBounded } from "../../util/limit.ts";
import type { Logger } from "../../util/logger.ts";
import { scanProgress } from "../../util/progress.ts";
import { kindOf, openLocalLog } from "../local-file.ts";
import { type LogFileRef, processLogFile } from "../processor.ts";
import { waitsInQuarantine } from "../quarantine.ts";
import { isJsonLinesName } from "../reader.ts";
import { addBadFile, type ScanSummary, type SourceSummary, sourceSummary } from "../summary.ts";
import type { LogSource, SourceRunContext } from "./source.ts";

const LOG_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;

export interface LocalFile {
  ref: LogFileRef;
  size: number;
}

export interface LocalListing {
  files: LocalFile[];
  /** Files that are not log files by name. */
  ignored: number;
  /** Entries that could not be read, by path, with the reason; skipped. */
  problems: { path: string; reason: string }[];
}

function localRef(path: string, size: number, mtimeMs: number, scope?: string): LogFileRef {
  return {
    key: `file://${path}`,
    scope,
    logFile: path,
    sig: `${size}:${Math.trunc(mtimeMs)}`,
    lines: isJsonLinesName(path),
    path,
    open: () => openLocalLog(path),
  };
}

/**
 * Every log file under `root` (a folder or one file), sorted by path for a stable order. The root
 * itself must be readable (else this throws); a bad entry below it is listed as a problem.
 */
export async function listLocalLogs(root: string): Promise<LocalListing> {
  const files: LocalFile[] = [];
  const problems: LocalListing["problems"] = [];
  let ignored = 0;
  /** Folders on the current path (device:inode), to see a symlink that loops back. */
  const ancestors = new Set<string>();
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch (err) {
      if (explicit) throw err;
      if (!explicit && !LOG_NAME.test(p) && !(await isSymlink(p))) return;
      problems.push({ path: p, reason: await entryProblem(p, err as NodeJS.ErrnoException) });
      return;
    }
    if (st.isDirectory()) {
      const id = `${st.dev}:${st.ino}`;
      if (ancestors.has(id)) {
        problems.push({ path: p, reason: "symlink loop: the folder contains itself" });
        return;
      }
      let entries: string[];
      try {
        entries = await readdir(p);
      } catch (err) {
        if (explicit) throw err;
        problems.push({ path: p, reason: `folder not readable: ${(err as Error).message}` });
        return;
      }
      entries.sort();
      ancestors.add(id);
      for (const e of entries) await visit(join(p, e), false);
      ancestors.delete(id);
    } else if (explicit || LOG_NAME.test(p)) {
      if (!st.isFile()) problems.push({ path: p, reason: `not a regular file (${kindOf(st)})` });
      else if (!(await readable(p)))
        problems.push({ path: p, reason: "file not readable (permission denied)" });
      else files.push({ ref: localRef(p, st.size, st.mtimeMs), size: st.size });
    } else ignored++;
  };
  await visit(resolve(root), true);
  files.sort((a, b) => (a.ref.logFile < b.ref.logFile ? -1 : a.ref.logFile > b.ref.logFile ? 1 : 0));
  return { files, ignored, problems };
}

async function isSymlink(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function readable(p: string): Promise<boolean> {
  try {
    await access(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function entryProblem(p: string, err: NodeJS.ErrnoException): Promise<string> {
  if (err.code === "ELOOP") return "symlink loop";
  if (err.code === "ENOENT" && (await isSymlink(p))) return "dangling symlink (its target does not exist)";
  return `cannot read: ${err.message}`;
}

/** Each unreadable entry of a listing becomes a bad file of the run, by path and reason. */
export function reportListingProblems(
  listing: LocalListing,
  summary: ScanSummary,
  source: SourceSummary,
  logger: Logger,
): void {
  for (const p of listing.problems) {
    source.files.bad++;
    addBadFile(summary, p.path, p.reason);
    logger.warn("log file skipped", { file: p.path, reason: p.reason });
  }
}

/** The file:// source of an incremental scan. */
export class FileSource implements LogSource {
  readonly type = "file";
  private readonly dir: string;
  private seen?: Set<string>;

  constructor(readonly url: string) {
    this.dir = resolve(url.slice("file://".length));
  }

  async run(ctx: SourceRunContext): Promise<SourceSummary> {
    const summary = sourceSummary(this.url, "file");
    const listing = await listLocalLogs(this.dir);
    summary.files.ignored += listing.ignored;
    reportListingProblems(listing, ctx.summary, summary, ctx.logger);
    this.seen = new Set(listing.files.map((f) => f.ref.key));
    const scope = `file://${this.dir}`;
    for (const f of listing.files) f.ref.scope = scope;
    scanProgress.plan("files", listing.files.length);
    // A window twice the read concurrency keeps the limiter busy without a promise per file.
    await forEachBounded(listing.files, 2 * ctx.config.logs.concurrency, async ({ ref }) => {
      // After an abort (daemon shutdown) the rest waits for the next run.
      if (ctx.signal?.aborted) return;
      if (ctx.state.isDone(ref.key, ref.sig)) {
        summary.files.skipped++;
        scanProgress.add("files");
        return;
      }
      // A quarantined file is retried when due, even if it did not change.
      if (waitsInQuarantine(ctx, ref.key)) return;
      await ctx.limit(() => processLogFile(ctx, ref, summary));
    });
    // A quarantined file (unreadable) is retried by key, even when it changed meanwhile.
    const due = ctx.state.dueForRetry(`file://${this.dir}`, ctx.now.getTime());
    for (const q of due) {
      if (ctx.signal?.aborted || this.seen.has(q.key)) continue;
      summary.files.failed++;
      ctx.state.release(q.key, { at: ctx.now.getTime(), bad: `gone from the folder: ${q.reason}` }, q.scope);
    }
    return summary;
  }

  /** A file that is gone from the folder no longer needs its mark. */
  prune(state: StateStore): void {
    if (!this.seen) return;
    for (const key of state.fileKeys(`file://${this.dir}`)) if (!this.seen.has(key)) state.forgetFile(key);
  }
}
