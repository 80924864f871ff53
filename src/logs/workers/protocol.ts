// Messages between the scan's main thread and its workers. One job at a time per worker.
import type { DetectionText, EncodedDetection } from "../detection.ts";
import type { JudgeInput, JudgeResult } from "../judge.ts";

/** workerData of a scan worker. */
export interface WorkerBoot {
  /** What the worker entry builds its detector from (rule paths and placeholders). */
  init: unknown;
  /** Int32Array over it: [0] = detection chunks sent and not yet taken by the main thread. */
  flow: SharedArrayBuffer;
}

/** A file to judge; its startedAt is set by the worker when it starts it (queued time not counted). */
export interface JobMessage extends Omit<JudgeInput, "startedAt"> {
  type: "job";
  id: number;
  /** A local file the worker opens itself... */
  path?: string;
  /** ...or the bytes, downloaded by the main thread and transferred. */
  bytes?: ArrayBuffer;
  /** The text form the committer keeps; detections come back serialised in it. */
  text: DetectionText;
}

export type WorkerMessage =
  | { type: "ready"; fingerprint: string }
  | { type: "init-failed"; message: string }
  | { type: "started"; id: number }
  | { type: "detections"; id: number; list: EncodedDetection[] }
  | { type: "done"; id: number; result: JudgeResult }
  | { type: "bad"; id: number; reason: string }
  | { type: "failed"; id: number; message: string };

/** Detections per message. */
export const CHUNK = 256;
/** Chunks a worker may have in flight before it waits for the main thread to take them. */
export const MAX_CHUNKS_IN_FLIGHT = 8;
