// The two places a finished log file goes. Both suppress a detection whose id was already emitted,
// so the same record delivered twice gives one detection.
import type { FileMark, StateStore } from "../state/store.ts";
import type { Detection } from "./detection.ts";
import type { DetectionsLog } from "./detections-log.ts";
import type { FileCommitter, LogFileRef } from "./processor.ts";
import { countDetection, type ScanSummary } from "./summary.ts";

/** Incremental scan: detections appended to detections.jsonl (fsynced), then the file marked done. */
export class StateCommitter implements FileCommitter {
  constructor(
    private readonly state: StateStore,
    private readonly log: DetectionsLog,
    private readonly summary: ScanSummary,
  ) {}

  commit(ref: LogFileRef, detections: Detection[], bad?: string): Detection[] {
    const fresh = detections.filter((d) => !this.state.hasEmitted(d.id));
    this.summary.detections.duplicates += detections.length - fresh.length;
    // Order matters for crash safety: the lines are on disk before the file counts as done.
    const offset = fresh.length ? this.log.append(fresh) : undefined;
    const mark: FileMark = { at: Date.now() };
    if (ref.sig) mark.sig = ref.sig;
    if (bad) mark.bad = bad;
    this.state.markFile(
      ref.key,
      mark,
      fresh.map((d) => d.id),
      offset,
    );
    for (const d of fresh) countDetection(this.summary, d);
    return fresh;
  }
}

/** Local one-off scan: detections kept in memory for the report. */
export class MemoryCommitter implements FileCommitter {
  readonly detections: Detection[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly summary: ScanSummary) {}

  commit(_ref: LogFileRef, detections: Detection[]): Detection[] {
    const fresh = detections.filter((d) => !this.seen.has(d.id));
    this.summary.detections.duplicates += detections.length - fresh.length;
    for (const d of fresh) {
      this.seen.add(d.id);
      this.detections.push(d);
      countDetection(this.summary, d);
    }
    return fresh;
  }
}
