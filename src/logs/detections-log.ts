// detections.jsonl is one consumer of the store's outbox: it appends the detections after its
// position, fsyncs, then moves the position (sequence and file length) in the store. A crash
// between the two leaves lines past the recorded length: at the next drain they are counted as
// written (the outbox order is the file order), and a partial line is cut. A full disk or an I/O
// error truncates the file back to its recorded length and stops the run with a StorageFault, so
// no line is ever garbled, repeated or lost.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { DETECTIONS_CONSUMER, type Position, type StateStore } from "../state/store.ts";
import { StorageFault, storageFault } from "../util/fs.ts";
import { type RotationPolicy, rotateIfDue } from "../util/rotate.ts";

const BATCH = 1000;

export class DetectionsLog {
  constructor(
    readonly file: string,
    private readonly store: StateStore,
    private readonly rotation?: RotationPolicy,
    private readonly consumer = DETECTIONS_CONSUMER,
  ) {}

  /** Append every detection the file does not have yet; returns how many were written. */
  drain(now = new Date()): number {
    let pos = this.store.position(this.consumer);
    let written = 0;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      if (this.rotation && rotateIfDue(this.file, now, this.rotation)) {
        pos = { seq: pos.seq, bytes: 0 };
        this.store.setPosition(this.consumer, pos);
      }
    } catch (err) {
      throw storageFault(err, this.file);
    }
    const fd = this.open();
    try {
      pos = this.recover(fd, pos);
      for (;;) {
        const rows = this.store.outboxAfter(pos.seq, BATCH);
        if (!rows.length) break;
        const data = Buffer.from(rows.map((r) => `${r.body}\n`).join(""));
        this.append(fd, data, pos.bytes);
        pos = { seq: rows[rows.length - 1].seq, bytes: pos.bytes + data.length };
        this.store.setPosition(this.consumer, pos);
        written += rows.length;
      }
    } finally {
      closeSync(fd);
    }
    return written;
  }

  private open(): number {
    try {
      return openSync(this.file, "a+");
    } catch (err) {
      throw storageFault(err, this.file);
    }
  }

  /** Lines past the recorded length were written before a crash: count them, cut a partial one. */
  private recover(fd: number, pos: Position): Position {
    const size = fstatSync(fd).size;
    if (size === pos.bytes) return pos;
    // Shorter than recorded: rotated or replaced after the last drain; append after what is there.
    if (size < pos.bytes) return this.saveAt({ seq: pos.seq, bytes: size });
    const tail = Buffer.alloc(size - pos.bytes);
    let read = 0;
    while (read < tail.length) {
      const n = readSync(fd, tail, read, tail.length - read, pos.bytes + read);
      if (n === 0) break;
      read += n;
    }
    let lines = 0;
    let complete = 0;
    for (let i = tail.indexOf(10); i >= 0; i = tail.indexOf(10, i + 1)) {
      lines++;
      complete = i + 1;
    }
    const recovered = { seq: pos.seq + lines, bytes: pos.bytes + complete };
    if (recovered.bytes < size) this.truncate(fd, recovered.bytes);
    return this.saveAt(recovered);
  }

  private saveAt(pos: Position): Position {
    this.store.setPosition(this.consumer, pos);
    return pos;
  }

  private append(fd: number, data: Buffer, at: number): void {
    try {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done);
      fsyncSync(fd);
    } catch (err) {
      // Leave no garbled line: back to the recorded length (freeing the space we took).
      try {
        this.truncate(fd, at);
      } catch {
        // the storage fault below is what the user needs to see
      }
      const fault = storageFault(err, this.file);
      throw fault instanceof StorageFault ? fault : err;
    }
  }

  private truncate(fd: number, length: number): void {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  }
}
