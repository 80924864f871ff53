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
    const ids: string[] = [];
    // Read in chunks: after a lost state directory the whole (possibly large) log is read back.
    const chunk = Buffer.alloc(1024 * 1024);
    let pos = start;
    let pending = Buffer.alloc(0);
    let lastComplete = start;
    while (pos < this.length) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.length - pos), pos);
      if (n === 0) break;
      pos += n;
      let data = Buffer.concat([pending, chunk.subarray(0, n)]);
      let nl = data.indexOf(0x0a);
      while (nl >= 0) {
        const id = idOf(data.subarray(0, nl).toString("utf8"));
        if (id) ids.push(id);
        lastComplete += nl + 1;
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      pending = Buffer.from(data);
    }
    if (lastComplete < this.length) {
      // A line cut short by a crash: remove it, its file was not marked done and is read again.
      this.length = lastComplete;
      ftruncateSync(this.fd, this.length);
      fsyncSync(this.fd);
    }
    return { ids, size: this.length };
  }

  close(): void {
    closeSync(this.fd);
  }
}

function idOf(line: string): string | undefined {
  if (!line) return undefined;
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === "string" ? id : undefined;
  } catch {
    // a line that is not ours cannot be a detection we emitted
    return undefined;
  }
}
