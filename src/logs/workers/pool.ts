// A fixed pool of scan workers. Each holds the compiled rule set and judges one file at a time;
// the main thread keeps committing, single writer, one file at a time. A job waits for a free
// worker. A worker that dies or overruns the time allowed for a file is replaced, and its file is
// reported bad with the reason: a file that kills a worker must not be retried for ever.
import { availableParallelism } from "node:os";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { Detection } from "../detection.ts";
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
}

/** A worker is stopped when a file runs this long past its time limit without giving up. */
const HARD_STOP_GRACE_MS = 10_000;

interface Running {
  id: number;
  add: (d: Detection) => void;
  resolve: (r: JudgeResult) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  flow: Int32Array;
  job?: Running;
}

export class ScanWorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
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
  async judge(job: PoolJob, add: (d: Detection) => void): Promise<JudgeResult> {
    const slot = await this.acquire();
    const id = this.nextId++;
    const { bytes, ...rest } = job;
    // The time per file counts from here: waiting for a free worker is not the file's doing.
    const startedAt = Date.now();
    const msg: JobMessage = { ...rest, startedAt, type: "job", id };
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
      const running: Running = { id, add, resolve, reject };
      if (job.limits.timeoutMs !== undefined) {
        const grace = this.opts.hardStopGraceMs ?? HARD_STOP_GRACE_MS;
        const left = startedAt + job.limits.timeoutMs + grace - Date.now();
        running.timer = setTimeout(() => this.stopOverrun(slot, job.limits.timeoutMs!), Math.max(0, left));
      }
      slot.job = running;
      slot.worker.ref();
      slot.worker.postMessage(msg, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new SourceReadError(new Error("scan workers stopped"));
      const slot = this.idle.pop();
      if (slot) return slot;
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(slot: Slot): void {
    slot.job = undefined;
    slot.worker.unref();
    if (!this.slots.includes(slot)) return;
    this.idle.push(slot);
    this.waiting.shift()?.();
  }

  private spawn(): Promise<void> {
    const flow = new SharedArrayBuffer(4);
    const boot: WorkerBoot = { init: this.opts.init, flow };
    const worker = newWorker(this.opts.entry, { workerData: boot });
    // Idle workers never keep the process alive; a running job does (its promise is awaited).
    worker.unref();
    const slot: Slot = { worker, flow: new Int32Array(flow) };
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const onReady = async (fingerprint: string) => {
        if (fingerprint !== (await this.opts.fingerprint)) {
          reject(new Error("a scan worker loaded a different rule set (rule files changed while starting)"));
          void worker.terminate();
          return;
        }
        ready = true;
        this.slots.push(slot);
        this.release(slot);
        resolve();
      };
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "ready") onReady(m.fingerprint).catch(reject);
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

  private onJobMessage(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || !("id" in m) || m.id !== job.id) return;
    if (m.type === "detections") {
      try {
        for (const d of m.list) job.add(d);
      } finally {
        Atomics.sub(slot.flow, 0, 1);
        Atomics.notify(slot.flow, 0);
      }
      return;
    }
    clearTimeout(job.timer);
    if (m.type === "done") job.resolve(m.result);
    else if (m.type === "bad") job.reject(new BadLogError(m.reason));
    else if (m.type === "failed") job.reject(new SourceReadError(new Error(m.message)));
    this.release(slot);
  }

  /** The worker is gone (crash, out of memory, terminated): fail its file and start another. */
  private lost(slot: Slot, reason: string): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const idleAt = this.idle.indexOf(slot);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.reject(new BadLogError(reason));
    }
    if (!this.closed)
      this.spawn().catch(() => {
        // Cannot start a replacement: waiting jobs run on the workers left; with none, they fail.
        if (this.slots.length === 0) this.closeWaiting();
      });
  }

  private closeWaiting(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
  }

  private stopOverrun(slot: Slot, timeoutMs: number): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    job.reject(new BadLogError(`reading took longer than logs.fileTimeoutSeconds (${timeoutMs / 1000} s)`));
    this.lost(slot, "stopped");
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
