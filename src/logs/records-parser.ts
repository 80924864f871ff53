// An incremental parser for CloudTrail's `{"Records":[...]}` documents. It is fed text chunks and
// hands out one record at a time, so memory holds one record, never the whole file. Values of
// other top-level keys are skipped without being kept. Each record's text is checked by JSON.parse.
export class LogFormatError extends Error {
  override name = "LogFormatError";
}

/** One record's text may not exceed this (CloudTrail records are at most a few hundred KB). */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;

type Phase =
  | "start" // before the top-level `{`
  | "key" // expecting a key string or `}`
  | "colon"
  | "value" // expecting the value of a non-Records key (skipped)
  | "records-open" // expecting `[` after "Records":
  | "element" // expecting a record or `]`
  | "after-element" // expecting `,` or `]`
  | "after-value" // expecting `,` or `}` in the top object
  | "end"; // after the closing `}`

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const STRING_STOP = /["\\]/g;
const PRIMITIVE_END = /[,\]}\s]/g;
const STRUCTURE = /["{}[\]]/g;

export class RecordsParser {
  private phase: Phase = "start";
  /** Nesting depth and string state of the value being scanned (captured or skipped). */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scanning = false;
  private primitive = false;
  private primitiveDecided = false;
  private capture = false;
  private text = "";
  private currentKey = "";
  private sawRecords = false;
  private offset = 0;
  recordCount = 0;

  constructor(private readonly onRecord: (record: unknown, index: number) => void) {}

  /** Feed the next chunk of decoded text. Throws LogFormatError on malformed input. */
  push(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.scanning) {
        i = this.scan(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (WS.has(c)) {
        i++;
        continue;
      }
      i = this.structural(chunk, i);
    }
    this.offset += n;
  }

  /** Call at end of input: throws when the document is incomplete or has no Records array. */
  end(): void {
    if (this.phase === "start" && !this.scanning) throw new LogFormatError("empty file");
    if (this.phase !== "end") throw new LogFormatError(`truncated JSON at character ${this.offset}`);
    if (!this.sawRecords) throw new LogFormatError("not a CloudTrail log: no Records array");
  }

  private fail(msg: string, at: number): never {
    throw new LogFormatError(`${msg} at character ${this.offset + at}`);
  }

  private structural(chunk: string, i: number): number {
    const ch = chunk[i];
    switch (this.phase) {
      case "start":
        if (ch !== "{") {
          if (ch === "[") this.fail("not a CloudTrail log: top level is an array", i);
          this.fail("not JSON: unexpected character", i);
        }
        this.phase = "key";
        return i + 1;
      case "key":
        if (ch === "}") {
          this.phase = "end";
          return i + 1;
        }
        if (ch !== '"') this.fail("invalid JSON: expected a key", i);
        this.beginScan(true);
        return this.scan(chunk, i);
      case "colon":
        if (ch !== ":") this.fail("invalid JSON: expected ':'", i);
        this.phase = this.currentKey === "Records" ? "records-open" : "value";
        return i + 1;
      case "value":
        this.beginScan(false);
        return this.scan(chunk, i);
      case "records-open":
        if (ch !== "[") this.fail("not a CloudTrail log: Records is not an array", i);
        this.sawRecords = true;
        this.phase = "element";
        return i + 1;
      case "element":
        if (ch === "]" && this.recordCount === 0) {
          this.phase = "after-value";
          return i + 1;
        }
        this.beginScan(true);
        return this.scan(chunk, i);
      case "after-element":
        if (ch === ",") this.phase = "element";
        else if (ch === "]") this.phase = "after-value";
        else this.fail("invalid JSON: expected ',' or ']' in Records", i);
        return i + 1;
      case "after-value":
        if (ch === ",") this.phase = "key";
        else if (ch === "}") this.phase = "end";
        else this.fail("invalid JSON: expected ',' or '}'", i);
        return i + 1;
      case "end":
        this.fail("invalid JSON: data after the end of the document", i);
    }
  }

  private beginScan(capture: boolean): void {
    this.scanning = true;
    this.capture = capture;
    this.text = "";
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    // Whether the value is a primitive is decided on its first character, in scan().
    this.primitiveDecided = false;
  }

  /** Scan a value from chunk[i]; returns the index after what was consumed. */
  private scan(chunk: string, i: number): number {
    const start = i;
    const n = chunk.length;
    if (!this.primitiveDecided) {
      const first = chunk[i];
      this.primitive = first !== "{" && first !== "[" && first !== '"';
      this.inString = first === '"';
      if (this.inString) i++;
      this.primitiveDecided = true;
    }
    while (i < n) {
      if (this.escaped) {
        // The character after a backslash, possibly at the start of a new chunk.
        this.escaped = false;
        i++;
        continue;
      }
      // Jump to the next character that matters instead of looking at every one.
      const re = this.inString ? STRING_STOP : this.primitive ? PRIMITIVE_END : STRUCTURE;
      re.lastIndex = i;
      const m = re.exec(chunk);
      if (!m) break;
      i = m.index;
      if (this.primitive) return this.finish(chunk, start, i);
      const c = chunk.charCodeAt(i);
      i++;
      if (this.inString) {
        if (c === 0x5c) this.escaped = true;
        else {
          this.inString = false;
          if (this.depth === 0) return this.finish(chunk, start, i);
        }
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (--this.depth === 0) return this.finish(chunk, start, i);
    }
    if (this.capture) {
      this.text += chunk.slice(start, n);
      if (this.text.length > MAX_RECORD_CHARS) this.fail("record larger than 32M characters", n);
    }
    return n;
  }

  private finish(chunk: string, start: number, end: number): number {
    this.scanning = false;
    const text = this.capture ? this.text + chunk.slice(start, end) : "";
    this.text = "";
    switch (this.phase) {
      case "key":
        this.currentKey = parseJson(text, () => this.fail("invalid JSON key", end)) as string;
        this.phase = "colon";
        break;
      case "value":
        this.phase = "after-value";
        break;
      case "element": {
        const record = parseJson(text, (msg) =>
          this.fail(`invalid JSON in record ${this.recordCount}: ${msg}`, end),
        );
        this.phase = "after-element";
        this.onRecord(record, this.recordCount++);
        break;
      }
      default:
        break;
    }
    return end;
  }
}

function parseJson(text: string, onError: (msg: string) => never): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return onError((err as Error).message);
  }
}
