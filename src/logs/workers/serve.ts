// The worker side of the scan pool: build the detector once, then read, decompress, parse and judge
// one file per job, sending detections back in chunks. A worker that is more than a few chunks
// ahead of the main thread waits (Atomics.wait on a shared counter), so a file with a huge number
// of detections never piles them up in the message queue.
import { parentPort, workerData } from "node:worker_threads";
import { type Detection, type EncodedDetection, encodeDetection } from "../detection.ts";
import type { Detector } from "../detector.ts";
import { judgeFile } from "../judge.ts";
import { openLocalLogSync } from "../local-file.ts";
import { BadLogError, SourceReadError } from "../reader.ts";
import {
  CHUNK,
  type JobMessage,
  MAX_CHUNKS_IN_FLIGHT,
  type WorkerBoot,
  type WorkerMessage,
} from "./protocol.ts";

export interface BuiltDetector {
  detector: Detector;
  /** Says which rule set this is; the pool refuses workers whose set differs from the main thread's. */
  fingerprint: string;
}

export async function serveScanJobs(build: (init: unknown) => Promise<BuiltDetector>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("serveScanJobs runs in a worker thread");
  const boot = workerData as WorkerBoot;
  const flow = new Int32Array(boot.flow);
  const post = (m: WorkerMessage) => port.postMessage(m);
  let built: BuiltDetector;
  try {
    built = await build(boot.init);
  } catch (err) {
    post({ type: "init-failed", message: (err as Error).message });
    return;
  }
  // Files are judged one at a time, in the order they came; the next one waits queued here.
  let queue = Promise.resolve();
  port.on("message", (job: JobMessage) => {
    queue = queue.then(() => run(built.detector, job, flow, post));
  });
  post({ type: "ready", fingerprint: built.fingerprint });
}

async function run(
  detector: Detector,
  job: JobMessage,
  flow: Int32Array,
  post: (m: WorkerMessage) => void,
): Promise<void> {
  let pending: EncodedDetection[] = [];
  const flush = () => {
    if (!pending.length) return;
    for (let v = Atomics.load(flow, 0); v >= MAX_CHUNKS_IN_FLIGHT; v = Atomics.load(flow, 0))
      Atomics.wait(flow, 0, v, 1000);
    Atomics.add(flow, 0, 1);
    post({ type: "detections", id: job.id, list: pending });
    pending = [];
  };
  // Serialised here: a string crosses to the main thread far cheaper than an object graph, and the
  // main thread then writes it as it is (store body or report text).
  const add = (d: Detection) => {
    pending.push(encodeDetection(d, job.text));
    if (pending.length >= CHUNK) flush();
  };
  post({ type: "started", id: job.id });
  try {
    const source = job.bytes ? new Uint8Array(job.bytes) : openLocalLogSync(job.path ?? "");
    const result = await judgeFile(detector, source, { ...job, startedAt: Date.now() }, add);
    flush();
    post({ type: "done", id: job.id, result });
  } catch (err) {
    // Records before the damage were valid: their detections go to the main thread first.
    flush();
    if (err instanceof BadLogError) post({ type: "bad", id: job.id, reason: err.message });
    else if (err instanceof SourceReadError) post({ type: "failed", id: job.id, message: err.message });
    else post({ type: "failed", id: job.id, message: `${(err as Error).name}: ${(err as Error).message}` });
  }
}
