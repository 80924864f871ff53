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
        if (r.fresh) this.log.drain();
        return this.fresh(r.firstSeq, r.lastSeq);
      },
    };
  }

  private *fresh(first: number, last: number): Generator<Detection> {
    for (const row of this.state.outboxRange(first, last)) yield JSON.parse(row.body) as Detection;
  }
}

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
