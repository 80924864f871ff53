// Puts correlations between the processor and the committer: takes the correlation inputs off the
// base-rule detections (dropping those whose rule does not emit), hands a file's events to the
// correlator at its commit, and adds what fired to the same batch, so the file's mark, its
// detections, the correlation detections and the correlator's state commit together.
import type { Logger } from "../util/logger.ts";
import type { FileBatch, FileCommitter } from "./commit.ts";
import type { CorrelationEventLike, CorrelationFiringLike, Correlator } from "./correlator.ts";
import type { Detection } from "./detection.ts";
import type { ScanSummary } from "./summary.ts";

/** A file begun and not yet released into the watermark: its latest correlation eventTime once done. */
interface Slot {
  done: boolean;
  latest: number;
}

export class CorrelatingCommitter implements FileCommitter {
  private warnedGroups = false;
  /**
   * Files in the order they were begun (the source's listing order, as the limiter starts them).
   * The watermark follows the latest eventTime of the files done without a gap before them, so files
   * committing out of order (concurrency, workers) do not make each other's records late.
   */
  private slots: Slot[] = [];
  private upTo = Number.NEGATIVE_INFINITY;
  private given = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly inner: FileCommitter,
    private readonly correlator: Correlator | undefined,
    private readonly summary: ScanSummary,
    private readonly logger?: Logger,
    private readonly maxGroups?: number,
  ) {}

  get textForm() {
    return this.inner.textForm;
  }

  begin(file: { key: string; scope?: string; sig?: string; logFile?: string }): FileBatch {
    const batch = this.inner.begin(file);
    const slot: Slot = { done: false, latest: Number.NEGATIVE_INFINITY };
    this.slots.push(slot);
    let events: CorrelationEventLike[] = [];
    return {
      add: (d) => {
        const input = d.correlationInput;
        if (input) {
          delete d.correlationInput;
          if (this.correlator) events.push(input.event);
          if (!input.emit && this.correlator) return;
        }
        batch.add(d);
      },
      abort: () => {
        events = [];
        // Its records come again later (a retry, the next run) or never: it holds nothing back.
        slot.done = true;
        this.release();
        batch.abort();
      },
      commit: (bad) => {
        const c = this.correlator;
        const before = { slots: [...this.slots], upTo: this.upTo, given: this.given };
        for (const e of events) {
          const t = Date.parse(e.eventTime);
          if (t > slot.latest) slot.latest = t;
        }
        slot.done = true;
        this.release();
        if (c && (events.length > 0 || this.upTo > this.given)) {
          this.given = this.upTo;
          for (const f of c.consume(events, this.upTo))
            if (f.emit) batch.add(correlationDetection(f, file.logFile ?? file.key));
          this.report(c);
        }
        events = [];
        let fresh: Iterable<Detection>;
        try {
          fresh = batch.commit(bad);
        } catch (err) {
          c?.rollback();
          slot.done = false;
          slot.latest = Number.NEGATIVE_INFINITY;
          this.slots = before.slots;
          this.upTo = before.upTo;
          this.given = before.given;
          throw err;
        }
        c?.committed();
        return fresh;
      },
    };
  }

  /** Release the files done at the head of the order into the watermark. */
  private release(): void {
    let n = 0;
    while (n < this.slots.length && this.slots[n].done) {
      if (this.slots[n].latest > this.upTo) this.upTo = this.slots[n].latest;
      n++;
    }
    if (n > 0) this.slots = this.slots.slice(n);
  }

  /**
   * End of a one-off scan: every window is final. What then fires is committed as one more batch
   * (its logFile is the pseudo key "correlation:end").
   */
  finish(): Detection[] {
    const c = this.correlator;
    if (!c?.finish) return [];
    const batch = this.inner.begin({ key: "correlation:end" });
    for (const f of c.finish()) if (f.emit) batch.add(correlationDetection(f, "correlation:end"));
    this.report(c);
    const fresh = [...batch.commit()];
    c.committed();
    return fresh;
  }

  private report(c: Correlator): void {
    this.summary.correlation = { ...c.stats };
    if (c.stats.groupsRefused > 0 && !this.warnedGroups) {
      this.warnedGroups = true;
      this.logger?.warn("correlation group cap reached: events that would open a new group are dropped", {
        maxGroups: this.maxGroups,
        liveGroups: c.stats.liveGroups,
      });
    }
  }
}

/** A correlation firing as a detection. Record fields a correlation has no single value for are empty. */
export function correlationDetection(f: CorrelationFiringLike, logFile: string): Detection {
  const d: Detection = {
    id: f.id,
    ruleId: f.ruleId,
    ruleTitle: f.title,
    level: f.level,
    tags: [...f.tags],
    eventID: f.eventIDs[0] ?? "",
    eventTime: f.window.end,
    eventSource: "",
    eventName: "",
    awsRegion: "",
    recipientAccountId: "",
    sourceIPAddress: "",
    principal: "",
    logFile,
    groupKey: f.id,
    correlation: {
      type: f.type,
      timespan: f.timespan,
      groupBy: { ...f.groupBy },
      window: { ...f.window },
      value: f.value,
      condition: { ...f.condition },
      eventCount: f.eventCount,
      eventIDs: [...f.eventIDs],
      ...(f.values ? { values: [...f.values] } : {}),
    },
  };
  if (f.description) d.description = f.description;
  if (f.falsepositives?.length) d.falsepositives = [...f.falsepositives];
  if (f.references?.length) d.references = [...f.references];
  return d;
}
