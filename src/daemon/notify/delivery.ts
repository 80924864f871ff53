// Drives one sink from detections.jsonl with a persisted cursor (a byte offset) in state.dir.
// The detection file is the queue: a detection is never removed from it, the cursor moves past a
// line only after the sink accepted it, and a failure is retried with exponential backoff. So a
// sink outage or a restart loses nothing (delivery is at least once; receivers dedupe by `id`).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Level } from "../../config/types.ts";
import { readJsonIfExists, writeJsonAtomic } from "../../util/fs.ts";
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

interface Cursor {
  offset: number;
}

export interface DeliveryOptions {
  sink: Sink;
  detectionsFile: string;
  stateDir: string;
  minLevel: Level;
  logger: Logger;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onDelivered?(sink: string): void;
  onFailed?(sink: string): void;
  onBacklog?(sink: string, bytes: number): void;
}

const CHUNK = 64 * 1024;

export class Delivery {
  private readonly cursorFile: string;
  private offset: number;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly controller = new AbortController();
  private readonly log: Logger;

  constructor(private readonly o: DeliveryOptions) {
    this.cursorFile = join(o.stateDir, `notify-${o.sink.name}.json`);
    this.offset = readJsonIfExists<Cursor>(this.cursorFile)?.offset ?? 0;
    this.log = o.logger.child({ sink: o.sink.name, target: o.sink.target });
  }

  get cursor(): number {
    return this.offset;
  }

  /** New lines may be there: deliver them now, unless a backoff wait is running. */
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

  /** Stop retrying and abort a delivery in progress; the cursor stays where the last success left it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort(new Error("shutdown"));
    await this.idle();
  }

  private async pump(): Promise<void> {
    let fd: number;
    try {
      fd = openSync(this.o.detectionsFile, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    try {
      const size = statSync(this.o.detectionsFile).size;
      if (size < this.offset) {
        this.log.warn("detections file is shorter than the delivery cursor; delivering it from the start", {
          file: this.o.detectionsFile,
          cursor: this.offset,
          size,
        });
        this.saveCursor(0);
      }
      const buf = Buffer.alloc(CHUNK);
      let pending = Buffer.alloc(0);
      let readAt = this.offset;
      while (!this.stopped) {
        const n = readSync(fd, buf, 0, CHUNK, readAt);
        if (n === 0) break;
        readAt += n;
        pending = Buffer.concat([pending, buf.subarray(0, n)]);
        let nl = pending.indexOf(10);
        while (nl >= 0 && !this.stopped) {
          const line = pending.subarray(0, nl).toString("utf8");
          pending = pending.subarray(nl + 1);
          if (!(await this.deliverLine(line, nl + 1))) return;
          nl = pending.indexOf(10);
        }
      }
      // A trailing line without its line feed is still being written: it waits for the next kick.
      this.failures = 0;
      this.o.onBacklog?.(this.o.sink.name, Math.max(0, size - this.offset));
    } finally {
      closeSync(fd);
    }
  }

  /** false: delivery failed and a retry is scheduled. */
  private async deliverLine(line: string, bytes: number): Promise<boolean> {
    let detection: DetectionRecord | undefined;
    if (line.trim()) {
      try {
        detection = JSON.parse(line) as DetectionRecord;
      } catch {
        this.log.warn("skipping a line of the detections file that is not JSON", {
          file: this.o.detectionsFile,
          offset: this.offset,
        });
      }
    }
    if (detection && atLeastLevel(detection.level, this.o.minLevel)) {
      try {
        await this.o.sink.deliver(detection, this.controller.signal);
        this.o.onDelivered?.(this.o.sink.name);
      } catch (err) {
        if (!this.stopped) this.failed(err, detection.id);
        return false;
      }
    }
    this.saveCursor(this.offset + bytes);
    return true;
  }

  /** Count the failure and retry after a backoff; also for local errors (the cursor file, say). */
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

  /** Persist first: the cursor in memory never runs ahead of the one on disk. */
  private saveCursor(offset: number): void {
    writeJsonAtomic(this.cursorFile, { offset } satisfies Cursor);
    this.offset = offset;
  }
}
