// The JSON report of one scan written piece by piece: byte for byte what renderAs("json") prints for
// the same report, with the detections taken as texts already in the report's form (see
// logs/detection-spill.ts), so the whole document is never held in memory.
import type { ScanReport } from "./scan-report.ts";

/** Detection texts in report order, in blocks: `ends` are where each text ends in `bytes`. */
export type DetectionTextBlocks = Iterable<{ bytes: Uint8Array; ends: readonly number[] }>;

const FIRST = Buffer.from("\n    ");
const NEXT = Buffer.from(",\n    ");

/** `report` must not hold detections itself: they are appended last, as the report object has them. */
export function* scanReportJson(
  report: Omit<ScanReport, "detections">,
  detections: DetectionTextBlocks,
): Generator<string | Uint8Array> {
  if ("detections" in report) throw new Error("scanReportJson: the report already holds detections");
  const head = JSON.stringify(report, null, 2);
  // `{ ...\n}`: reopen the object before its closing brace.
  yield `${head.slice(0, -2)},\n  "detections": [`;
  let any = false;
  for (const { bytes, ends } of detections) {
    const out = Buffer.allocUnsafe(bytes.length + ends.length * NEXT.length);
    let at = 0;
    let start = 0;
    for (const end of ends) {
      at += (any ? NEXT : FIRST).copy(out, at);
      any = true;
      at += Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).copy(out, at);
      start = end;
    }
    yield out.subarray(0, at);
  }
  yield any ? "\n  ]\n}\n" : "]\n}\n";
}
