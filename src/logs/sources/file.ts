// file://<dir>: local .json, .json.gz, .jsonl, .ndjson (optionally .gz) files, read recursively,
// each tracked by path, size and mtime, so a changed file is read again and an unchanged one not.

import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { StateStore } from "../../state/store.ts";
import { forEachBounded } from "../../util/limit.ts";
import { scanProgress } from "../../util/progress.ts";
import { type LogFileRef, processLogFile } from "../processor.ts";
import { waitsInQuarantine } from "../quarantine.ts";
import { isJsonLinesName, WHOLE_FILE_MAX_BYTES } from "../reader.ts";
import { type SourceSummary, sourceSummary } from "../summary.ts";
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
}

function localRef(path: string, size: number, mtimeMs: number, scope?: string): LogFileRef {
  return {
    key: `file://${path}`,
    scope,
    logFile: path,
    sig: `${size}:${Math.trunc(mtimeMs)}`,
    lines: isJsonLinesName(path),
    open: async () =>
      size <= WHOLE_FILE_MAX_BYTES ? readFile(path) : createReadStream(path, { highWaterMark: 64 * 1024 }),
  };
}

/** Every log file under `root` (a folder or one file), sorted by path for a stable order. */
export async function listLocalLogs(root: string): Promise<LocalListing> {
  const files: LocalFile[] = [];
  let ignored = 0;
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    const st = await stat(p);
    if (st.isDirectory()) {
      const entries = await readdir(p);
      entries.sort();
      for (const e of entries) await visit(join(p, e), false);
    } else if (st.isFile()) {
      if (explicit || LOG_NAME.test(p)) files.push({ ref: localRef(p, st.size, st.mtimeMs), size: st.size });
      else ignored++;
    }
  };
  await visit(resolve(root), true);
  files.sort((a, b) => (a.ref.logFile < b.ref.logFile ? -1 : a.ref.logFile > b.ref.logFile ? 1 : 0));
  return { files, ignored };
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
