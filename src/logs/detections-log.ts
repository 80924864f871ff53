// detections.jsonl: one detection per line, appended and fsynced before the file that produced it
// is marked done. After a crash, the lines past the offset the state store knows are read back so
// their ids are not emitted again.
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
import type { Detection } from "./detection.ts";

export class DetectionsLog {
  private readonly fd: number;
  private length: number;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a+");
    this.length = fstatSync(this.fd).size;
  }

  get size(): number {
    return this.length;
  }

  /** Append the lines and fsync; returns the file's new length. */
  append(detections: readonly Detection[]): number {
    if (!detections.length) return this.length;
    const data = Buffer.from(detections.map((d) => `${JSON.stringify(d)}\n`).join(""));
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written);
    fsyncSync(this.fd);
    this.length += data.length;
    return this.length;
  }

  /**
   * Ids of the complete lines from `offset` on (all of them when the file is shorter than offset:
   * it was rotated). A partial last line, cut by a crash, is removed.
   */
  recover(offset: number): { ids: string[]; size: number } {
    const start = offset <= this.length ? offset : 0;
    const buf = Buffer.alloc(this.length - start);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(this.fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString("utf8");
    const complete = text.lastIndexOf("\n") + 1;
    if (complete < text.length) {
      this.length = start + Buffer.byteLength(text.slice(0, complete));
      ftruncateSync(this.fd, this.length);
      fsyncSync(this.fd);
    }
    const ids: string[] = [];
    for (const line of text.slice(0, complete).split("\n")) {
      if (!line) continue;
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === "string") ids.push(id);
      } catch {
        // a line that is not ours cannot be a detection we emitted
      }
    }
    return { ids, size: this.length };
  }

  close(): void {
    closeSync(this.fd);
  }
}
