// The one-off scan's detections on disk instead of in memory: each committed detection is written
// once, in the report's own text form, to a private temp file; only its sort key and place stay in
// memory. The report then reads them back in its stable order (eventTime, eventID, ruleId; commit
// order among equals), so memory stays flat in the number of files and detections.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DetectionSink } from "./commit.ts";
import { type Detection, type FoundDetection, textOf } from "./detection.ts";

/** Texts are written in blocks of about this size. */
const BLOCK = 1 << 20;

export class DetectionSpill implements DetectionSink {
  readonly textForm = "report";
  private readonly dir: string;
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly times: string[] = [];
  private readonly eventIDs: string[] = [];
  private readonly ruleIds: string[] = [];
  private readonly cleanup = () => this.close();

  /** `parent`: where the private temp folder goes (default: the system's temp folder). */
  constructor(parent = tmpdir()) {
    // mkdtemp makes the folder 0700; the file is 0600: detections may carry raw records.
    this.dir = mkdtempSync(join(parent, "trailwarden-detections-"));
    this.fd = openSync(join(this.dir, "detections"), "w+", 0o600);
    process.once("exit", this.cleanup);
  }

  get count(): number {
    return this.offsets.length;
  }

  keep(d: FoundDetection): void {
    const bytes = Buffer.from(textOf(d, "report"));
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(bytes.length);
    this.times.push(d.eventTime);
    this.eventIDs.push(d.eventID);
    this.ruleIds.push(d.ruleId);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= BLOCK) this.flush();
  }

  /** The report texts in the report's order, in blocks of whole texts (each ends where a text ends). */
  *texts(): Generator<{ bytes: Buffer; ends: number[] }> {
    this.flush();
    const order = this.order();
    let block = Buffer.allocUnsafe(BLOCK);
    let used = 0;
    let ends: number[] = [];
    for (const i of order) {
      const len = this.lengths[i];
      if (used + len > block.length && used > 0) {
        yield { bytes: block.subarray(0, used), ends };
        block = Buffer.allocUnsafe(Math.max(BLOCK, len));
        used = 0;
        ends = [];
      }
      if (len > block.length) block = Buffer.allocUnsafe(len);
      this.read(block, used, len, this.offsets[i]);
      used += len;
      ends.push(used);
    }
    if (used > 0) yield { bytes: block.subarray(0, used), ends };
  }

  /** Every detection as an object, in the report's order (for the formats that need objects). */
  toArray(): Detection[] {
    const out: Detection[] = [];
    for (const { bytes, ends } of this.texts()) {
      let start = 0;
      for (const end of ends) {
        out.push(JSON.parse(bytes.toString("utf8", start, end)) as Detection);
        start = end;
      }
    }
    return out;
  }

  /** Remove the temp file (also done at process exit). */
  close(): void {
    process.off("exit", this.cleanup);
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private order(): number[] {
    const { times, eventIDs, ruleIds } = this;
    const idx = Array.from({ length: this.offsets.length }, (_, i) => i);
    // Array.prototype.sort is stable: equal keys keep commit order, as the in-memory list did.
    return idx.sort(
      (a, b) => cmp(times[a], times[b]) || cmp(eventIDs[a], eventIDs[b]) || cmp(ruleIds[a], ruleIds[b]),
    );
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < data.length)
      done += writeSync(this.fd!, data, done, data.length - done, this.written + done);
    this.written += data.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private read(into: Buffer, at: number, len: number, position: number): void {
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd!, into, at + done, len - done, position + done);
      if (n === 0) throw new Error("detection spill file ended early");
      done += n;
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
