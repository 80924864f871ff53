// A fixed pool of scan workers. Each holds the compiled rule set and judges one file at a time,
// with the next file already queued in it, so a worker never waits for the main thread (which
// commits, single writer, one file at a time, and may be in an fsync). A worker that dies, or that
// overruns the time allowed for a file, is replaced: the file it was judging is reported bad with
// the reason (a file that kills a worker must not be retried for ever); the files queued behind
// it were not started and are tried again.
import { availableParallelism } from "node:os";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { DetectionText, FoundDetection } from "../detection.ts";
import type { JudgeInput, JudgeResult } from "../judge.ts";
import { BadLogError, SourceReadError } from "../reader.ts";
import type { JobMessage, WorkerBoot, WorkerMessage } from "./protocol.ts";

export interface PoolOptions {
  /** Workers (default: the available cores). */
  size?: number;
  /** The worker's entry module: it calls serveScanJobs. A .ts entry runs under tsx. */
  entry: URL;
  /** Handed to the entry's detector builder. */
  init: unknown;
  /**
   * The fingerprint of the main thread's rule set (or its promise, so the workers start while the
   * main thread still compiles); a worker that built another set is refused.
   */
  fingerprint: string | Promise<string>;
  /** How long past a file's time limit its worker is stopped (default 10 s). */
  hardStopGraceMs?: number;
}

export interface PoolJob extends JudgeInput {
  path?: string;
  bytes?: Uint8Array;
  /** How detections come back (default compact). */
  text?: DetectionText;
}

/** A worker is stopped when a file runs this long past its time limit without giving up. */
const HARD_STOP_GRACE_MS = 10_000;
/** Files given to one worker at once: the one it judges and the next. */
const QUEUE_DEPTH = 2;

interface Running {
  id: number;
  add: (d: FoundDetection) => void;
  resolve: (r: JudgeResult) => void;
  reject: (err: Error) => void;
  timeoutMs?: number;
  started: boolean;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  flow: Int32Array;
  jobs: Map<number, Running>;
}

export class ScanWorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly opts: PoolOptions) {
    this.size = Math.max(1, opts.size ?? availableParallelism());
  }

  /** Start every worker and wait until each has built its detector. */
  static async start(opts: PoolOptions): Promise<ScanWorkerPool> {
    const pool = new ScanWorkerPool(opts);
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Judge one file on a worker. Throws BadLogError or SourceReadError like the in-thread reader. */
  async judge(job: PoolJob, add: (d: FoundDetection) => void): Promise<JudgeResult> {
    const slot = await this.acquire();
    const id = this.nextId++;
    const { bytes, text, ...rest } = job;
    const msg: JobMessage = { ...rest, type: "job", id, text: text ?? "compact" };
    const transfer: ArrayBuffer[] = [];
    if (bytes) {
      // Transfer, never copy; a view into a larger (pooled) buffer is copied out first.
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !isShared(bytes.buffer)
          ? (bytes.buffer as ArrayBuffer)
          : bytes.slice().buffer;
      msg.bytes = own;
      transfer.push(own);
    }
    return new Promise<JudgeResult>((resolve, reject) => {
      slot.jobs.set(id, { id, add, resolve, reject, timeoutMs: job.limits.timeoutMs, started: false });
      slot.worker.ref();
      slot.worker.postMessage(msg, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** The worker with the fewest files, when it has room for one more. */
  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new SourceReadError(new Error("scan workers stopped"));
      let best: Slot | undefined;
      for (const s of this.slots) if (!best || s.jobs.size < best.jobs.size) best = s;
      if (best && best.jobs.size < QUEUE_DEPTH) return best;
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private finished(slot: Slot, id: number): void {
    const job = slot.jobs.get(id);
    if (job) clearTimeout(job.timer);
    slot.jobs.delete(id);
    if (slot.jobs.size === 0) slot.worker.unref();
    this.waiting.shift()?.();
  }

  private spawn(): Promise<void> {
    const flow = new SharedArrayBuffer(4);
    const boot: WorkerBoot = { init: this.opts.init, flow };
    // A small young generation: a worker's garbage is per file, and 8 MB keeps its RSS down at no
    // measurable cost in CPU (bench:scan).
    const worker = newWorker(this.opts.entry, {
      workerData: boot,
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    const slot: Slot = { worker, flow: new Int32Array(flow), jobs: new Map() };
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const onReady = async (fingerprint: string) => {
        if (fingerprint !== (await this.opts.fingerprint)) {
          reject(new Error("a scan worker loaded a different rule set (rule files changed while starting)"));
          void worker.terminate();
          return;
        }
        ready = true;
        // Idle workers never keep the process alive; a running job does (its promise is awaited).
        // (After the listeners: adding a 'message' listener refs the worker again.)
        worker.unref();
        this.slots.push(slot);
        this.waiting.shift()?.();
        resolve();
      };
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "ready")
          onReady(m.fingerprint).catch((err) => {
            // The main thread's rules failed to load: this worker is not wanted.
            reject(err);
            void worker.terminate();
          });
        else if (m.type === "init-failed") reject(new Error(`scan worker failed to start: ${m.message}`));
        else this.onJobMessage(slot, m);
      });
      worker.on("error", (err) => {
        if (!ready) reject(err);
        else this.lost(slot, `the worker reading it failed: ${err.message}`);
      });
      worker.on("exit", (code) => {
        if (!ready) reject(new Error(`scan worker exited with code ${code} while starting`));
        else this.lost(slot, `the worker reading it exited (code ${code})`);
      });
    });
  }

  private onJobMessage(slot: Slot, m: Exclude<WorkerMessage, { type: "ready" | "init-failed" }>): void {
    const job = slot.jobs.get(m.id);
    if (!job) return;
    switch (m.type) {
      case "started":
        job.started = true;
        if (job.timeoutMs !== undefined) {
          const ms = job.timeoutMs + (this.opts.hardStopGraceMs ?? HARD_STOP_GRACE_MS);
          job.timer = setTimeout(() => this.stopOverrun(slot, job), ms);
        }
        return;
      case "detections":
        try {
          for (const d of m.list) job.add(d);
        } finally {
          Atomics.sub(slot.flow, 0, 1);
          Atomics.notify(slot.flow, 0);
        }
        return;
      case "done":
        this.finished(slot, m.id);
        job.resolve(m.result);
        return;
      case "bad":
        this.finished(slot, m.id);
        job.reject(new BadLogError(m.reason));
        return;
      case "failed":
        this.finished(slot, m.id);
        job.reject(new SourceReadError(new Error(m.message)));
    }
  }

  /** The worker is gone (crash, out of memory, stopped): fail its files and start another. */
  private lost(slot: Slot, reason: string): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of jobs) {
      clearTimeout(job.timer);
      // The file being judged is the likely cause; the ones queued behind it never started.
      if (job.started) job.reject(new BadLogError(reason));
      else job.reject(new SourceReadError(new Error(`scan worker lost before the file started: ${reason}`)));
    }
    if (this.closed) return;
    this.spawn().catch(() => {
      // No replacement: waiting files run on the workers left; with none left, they fail.
      if (this.slots.length === 0) {
        this.closed = true;
        for (const w of this.waiting.splice(0)) w();
      }
    });
  }

  private stopOverrun(slot: Slot, job: Running): void {
    if (!slot.jobs.has(job.id)) return;
    this.lost(slot, `reading took longer than logs.fileTimeoutSeconds (${job.timeoutMs! / 1000} s)`);
    void slot.worker.terminate();
  }
}

function isShared(buf: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== "undefined" && buf instanceof SharedArrayBuffer;
}

/**
 * The worker for an entry module. Built JavaScript runs as is. A TypeScript entry (running from the
 * sources) is loaded through tsx's tsImport: a worker runs neither the parent's --import preloads
 * nor hooks registered in the parent.
 */
function newWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(code, { ...options, eval: true });
}
