// The two places a finished log file goes. Both suppress a detection whose id was already emitted,
// so the same record delivered twice gives one detection. Detections are added as they are found
// and become visible only when the file is committed.
import type { CommitResult, FileWriter, StateStore } from "../state/store.ts";
import {
  type Detection,
  type DetectionText,
  decodeDetection,
  type FoundDetection,
  textOf,
} from "./detection.ts";
import type { DetectionsLog } from "./detections-log.ts";
import { countDetection, type ScanSummary } from "./summary.ts";
import type { BufferedKeyValueStore } from "./tracker-state.ts";

/** Where a file's detections go while it is read. */
export interface FileBatch {
  add(d: FoundDetection): void;
  /** Mark the file done (bad when `bad` is given); returns the detections that were new. */
  commit(bad?: string): Iterable<Detection>;
  /** Download failed or aborted: forget what was added; the file stays not done. */
  abort(): void;
}

export interface FileCommitter {
  /** The text form this committer keeps, so scan workers serialise detections in it. */
  readonly textForm?: DetectionText;
  begin(file: { key: string; scope?: string; sig?: string }): FileBatch;
}

/**
 * Incremental scan: one store transaction per file holds its mark, its new detections (the outbox)
 * and their ids; then detections.jsonl takes them from the outbox.
 */
export class StateCommitter implements FileCommitter {
  readonly textForm = "compact";

  constructor(
    private readonly state: StateStore,
    private readonly log: DetectionsLog,
    private readonly summary: ScanSummary,
    /** Judges' state written with each file (log integrity), when they keep any. */
    private readonly judges?: BufferedKeyValueStore,
    /** Group commit: files committed close together share one durable commit. */
    private readonly group?: CommitGroup,
  ) {}

  begin(file: { key: string; scope?: string; sig?: string }): FileBatch {
    const writer: FileWriter = this.state.beginFile(file.key, file.scope);
    return {
      add: (d) => writer.add({ id: d.id, ruleId: d.ruleId, level: d.level, body: textOf(d, "compact") }),
      abort: () => writer.abort(),
      commit: (bad) => {
        const mark = { at: Date.now(), sig: file.sig, bad };
        let r: CommitResult;
        try {
          this.group?.enter();
          r = writer.commit(mark, this.judges && (() => this.judges!.flush()));
        } catch (err) {
          this.judges?.discard();
          throw err;
        }
        const s = this.summary.detections;
        s.duplicates += r.duplicates;
        s.total += r.fresh;
        for (const [k, n] of Object.entries(r.byRule)) s.byRule[k] = (s.byRule[k] ?? 0) + n;
        for (const [k, n] of Object.entries(r.byLevel)) s.byLevel[k] = (s.byLevel[k] ?? 0) + n;
        if (this.group) this.group.joined(r.fresh > 0);
        else if (r.fresh) this.log.drain();
        return this.fresh(r.firstSeq, r.lastSeq);
      },
    };
  }

  private *fresh(first: number, last: number): Generator<Detection> {
    for (const row of this.state.outboxRange(first, last)) yield JSON.parse(row.body) as Detection;
  }
}

/**
 * Group commit for the incremental scan. A file's commit (its mark, its detections in the outbox,
 * the judges' state) is one savepoint inside the open group; the group is made durable by one
 * store commit and one detections.jsonl append at the next turn of the event loop, or at once when
 * it holds MAX_GROUP_FILES. So files that finish while this thread is busy share one WAL sync
 * instead of paying one each, and an idle scan still commits each file at once. A file counts as
 * done only when its group is durable (processLogFile waits for settled()): a crash loses whole
 * groups, whose files are read again, never part of a file, so exactly-once holds.
 */
export class CommitGroup {
  private files = 0;
  private fresh = false;
  private timer: NodeJS.Immediate | undefined;
  private waiting: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;

  constructor(
    private readonly state: StateStore,
    private readonly log: DetectionsLog,
    private readonly maxFiles = MAX_GROUP_FILES,
  ) {}

  /** Before a file's commit: opens a group when none is open. */
  enter(): void {
    if (this.state.inGroup) return;
    this.state.beginGroup();
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group nobody waits for (the run stopped) must not become an unhandled rejection.
    promise.catch(() => {});
    this.waiting = { promise, resolve, reject };
  }

  /** A file's commit joined the group (`fresh`: it added detections to the outbox). */
  joined(fresh: boolean): void {
    this.files++;
    this.fresh ||= fresh;
    if (this.files >= this.maxFiles) this.commit();
    else
      this.timer ??= setImmediate(() => {
        try {
          this.commit();
        } catch {
          // The files waiting on the group got the fault.
        }
      });
  }

  /** Resolves when everything committed so far is durable (and in detections.jsonl). */
  settled(): Promise<void> {
    return this.waiting?.promise ?? Promise.resolve();
  }

  /** Make the open group durable now; a fault rejects every file waiting on it, and is thrown. */
  commit(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    const waiting = this.waiting;
    const fresh = this.fresh;
    this.waiting = undefined;
    this.files = 0;
    this.fresh = false;
    try {
      this.state.commitGroup();
      if (fresh) this.log.drain();
    } catch (err) {
      waiting?.reject(err);
      throw err;
    }
    waiting?.resolve();
  }

  /** The run stopped: what the open group holds is forgotten (read again next run). */
  abandon(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.state.rollbackGroup();
    this.waiting?.reject(new Error("the scan stopped before this file's group was committed"));
    this.waiting = undefined;
    this.files = 0;
    this.fresh = false;
  }
}

/** Files per group at most: bounds what one crash makes the next run read again. */
export const MAX_GROUP_FILES = 64;

/** Where a one-off scan keeps the detections it commits. */
export interface DetectionSink {
  readonly textForm?: DetectionText;
  keep(d: FoundDetection): void;
}

/** Detection objects in an array (what scanLocal returns). */
export class DetectionArray implements DetectionSink {
  readonly detections: Detection[] = [];
  keep(d: FoundDetection): void {
    this.detections.push(decodeDetection(d));
  }
}

/** Local one-off scan: detections deduplicated by id and kept by a sink for the report. */
export class MemoryCommitter implements FileCommitter {
  private readonly seen = new Set<string>();

  constructor(
    private readonly summary: ScanSummary,
    private readonly sink: DetectionSink = new DetectionArray(),
  ) {}

  get textForm(): DetectionText | undefined {
    return this.sink.textForm;
  }

  begin(): FileBatch {
    let found: FoundDetection[] = [];
    return {
      add: (d) => found.push(d),
      abort: () => {
        found = [];
      },
      commit: () => {
        const fresh: FoundDetection[] = [];
        for (const d of found) {
          if (this.seen.has(d.id)) {
            this.summary.detections.duplicates++;
            continue;
          }
          this.seen.add(d.id);
          this.sink.keep(d);
          fresh.push(d);
          countDetection(this.summary, d);
        }
        return decoded(fresh);
      },
    };
  }
}

/** Decoded only when someone reads them (a one-off scan usually does not). */
function* decoded(list: readonly FoundDetection[]): Generator<Detection> {
  for (const d of list) yield decodeDetection(d);
}
