// The streaming committer shape the state store is moving to (one FileBatch per log file:
// detections added as they are found, visible only at commit), and an adapter that puts today's
// whole-file committers behind it. The adapter goes when the store implements `begin` itself.
import type { Detection } from "./detection.ts";
import type { FileCommitter, LogFileRef } from "./processor.ts";

export interface FileBatch {
  /** Duplicates (same id) are suppressed at commit. */
  add(d: Detection): void;
  /** Mark the file done (bad when `bad` is given); returns how many detections were new. */
  commit(bad?: string): number;
  /** Download failed / aborted: forget what was added; the file stays not-done. */
  abort(): void;
}

export interface BatchCommitter {
  /** Start one file. Detections are added as they are found and become visible only at commit. */
  begin(ref: LogFileRef): FileBatch;
}

/** A batch that also tells which detections were new, for callers that announce them. */
export interface AnnouncingBatch extends FileBatch {
  readonly fresh: readonly Detection[];
}

/** Use a committer that streams (has begin) as is; wrap a whole-file one. */
export function toBatchCommitter(c: FileCommitter | BatchCommitter): BatchCommitter {
  if ("begin" in c) return c;
  return { begin: (ref) => new CollectingBatch(c, ref) };
}

class CollectingBatch implements AnnouncingBatch {
  private readonly found: Detection[] = [];
  private readonly ids = new Set<string>();
  fresh: Detection[] = [];

  constructor(
    private readonly committer: FileCommitter,
    private readonly ref: LogFileRef,
  ) {}

  add(d: Detection): void {
    if (this.ids.has(d.id)) return;
    this.ids.add(d.id);
    this.found.push(d);
  }

  commit(bad?: string): number {
    this.fresh = this.committer.commit(this.ref, this.found, bad);
    return this.fresh.length;
  }

  abort(): void {
    this.found.length = 0;
    this.ids.clear();
  }
}
