// Drives one sink from the store's outbox with its own position there. The position moves past a
// detection only after the sink accepted it, in the same store as everything else, and a failure
// is retried with exponential backoff. So a sink outage or a restart loses nothing; a crash
// between the sink's answer and the position's commit can repeat that one detection (receivers
// dedupe by `id`).
import type { Level } from "../../config/types.ts";
import type { OutboxRow, StateStore } from "../../state/store.ts";
import type { Logger } from "../../util/logger.ts";
import type { DetectionRecord, Sink } from "./sinks.ts";

const LEVELS: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Unknown levels are delivered: dropping a detection silently is the worse mistake. */
export function atLeastLevel(level: unknown, min: Level): boolean {
  const rank = LEVELS[String(level).toLowerCase()];
  return rank === undefined || rank >= LEVELS[min];
}

export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

export interface DeliveryOptions {
  sink: Sink;
  /** The store whose outbox holds the detections, and this sink's position in it. */
  store: StateStore;
  consumer: string;
  minLevel: Level;
  logger: Logger;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onDelivered?(sink: string): void;
  onFailed?(sink: string): void;
  onBacklog?(sink: string, detections: number): void;
  /**
   * Several detections per request (sinks with deliverBatch): up to `size`, and a first pending
   * detection waits at most `delayMs` for the others.
   */
  batch?: { size: number; delayMs: number };
}

export class Delivery {
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly controller = new AbortController();
  private readonly log: Logger;

  constructor(private readonly o: DeliveryOptions) {
    this.log = o.logger.child({ sink: o.sink.name, target: o.sink.target });
  }

  /** The outbox sequence number of the last detection this sink accepted (or skipped by level). */
  get cursor(): number {
    return this.o.store.position(this.o.consumer).seq;
  }

  /** New detections may be there: deliver them now, unless a backoff wait is running. */
  kick(): void {
    if (this.stopped || this.timer) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.pumping = undefined;
        if (this.again && !this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no delivery is in progress (a pending backoff wait does not count). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Stop retrying and abort a delivery in progress; the position stays where the last success left it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort(new Error("shutdown"));
    await this.idle();
  }

  private async pump(): Promise<void> {
    const { store, consumer } = this.o;
    const size = this.o.sink.deliverBatch ? Math.max(1, this.o.batch?.size ?? 1) : 1;
    let pos = store.position(consumer);
    while (!this.stopped) {
      const rows = store.outboxAfter(pos.seq, size);
      if (!rows.length) break;
      if (rows.length < size && this.waitForMore(rows[0].at)) break;
      const batch: { row: OutboxRow; detection: DetectionRecord }[] = [];
      for (const row of rows) {
        const detection = this.wanted(row);
        if (detection) batch.push({ row, detection });
      }
      if (batch.length && !(await this.deliver(batch.map((b) => b.detection)))) return;
      pos = { seq: rows[rows.length - 1].seq, bytes: 0 };
      // Persist first: the position in memory never runs ahead of the one on disk.
      store.setPosition(consumer, pos);
    }
    this.failures = 0;
    this.o.onBacklog?.(this.o.sink.name, Math.max(0, store.outboxHead() - pos.seq));
  }

  /** A short batch whose oldest detection may still wait: send it when its delay is over. */
  private waitForMore(oldestAt: number): boolean {
    const delay = this.o.batch?.delayMs ?? 0;
    const wait = oldestAt + delay - Date.now();
    if (delay <= 0 || wait <= 0) return false;
    if (!this.timer && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      this.timer.unref();
    }
    return true;
  }

  /** The detection to send, or undefined for one below notify.minLevel (or not JSON). */
  private wanted(row: OutboxRow): DetectionRecord | undefined {
    if (!atLeastLevel(row.level, this.o.minLevel)) return undefined;
    try {
      return JSON.parse(row.body) as DetectionRecord;
    } catch {
      this.log.warn("skipping an outbox entry that is not JSON", { seq: row.seq });
      return undefined;
    }
  }

  /** false: delivery failed and a retry is scheduled. */
  private async deliver(detections: DetectionRecord[]): Promise<boolean> {
    try {
      if (detections.length > 1 && this.o.sink.deliverBatch)
        await this.o.sink.deliverBatch(detections, this.controller.signal);
      else await this.o.sink.deliver(detections[0], this.controller.signal);
      for (let i = 0; i < detections.length; i++) this.o.onDelivered?.(this.o.sink.name);
      return true;
    } catch (err) {
      if (!this.stopped) this.failed(err, detections[0].id);
      return false;
    }
  }

  /** Count the failure and retry after a backoff; also for local errors (the store, say). */
  private failed(err: unknown, id?: unknown): void {
    this.failures++;
    this.o.onFailed?.(this.o.sink.name);
    const wait = backoffMs(this.failures, this.o.baseBackoffMs ?? 1000, this.o.maxBackoffMs ?? 300_000);
    this.log.warn("notification failed; will retry", {
      id,
      failures: this.failures,
      retryInMs: wait,
      error: (err as Error)?.message ?? String(err),
    });
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, wait);
    this.timer.unref();
  }
}
