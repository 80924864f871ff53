// JSON lines (one record per line): split across chunks, each line parsed on its own. A line that is
// not JSON is handed on as NOT_JSON, so the reader counts it by line number and reads the rest.
import { StringDecoder } from "node:string_decoder";
import { LogFormatError, MAX_RECORD_CHARS } from "./records-parser.ts";

/** Stands for a JSON-lines line that does not parse. */
export const NOT_JSON = Symbol("not JSON");

export type Accept = (value: unknown, where: string) => void;

/** Splits JSON lines across chunks and parses each; a line that is not JSON is counted by number. */
export class LineSplitter {
  private rest = "";
  private line = 0;

  constructor(private readonly accept: Accept) {}

  push(text: string): void {
    let rest = this.rest + text;
    let nl = rest.indexOf("\n");
    let from = 0;
    while (nl >= 0) {
      this.take(rest.slice(from, nl));
      from = nl + 1;
      nl = rest.indexOf("\n", from);
    }
    rest = rest.slice(from);
    if (rest.length > MAX_RECORD_CHARS)
      throw new LogFormatError(`line ${this.line + 1} longer than 32M characters`);
    this.rest = rest;
  }

  end(): void {
    if (this.rest.trim()) this.take(this.rest);
    this.rest = "";
  }

  private take(text: string): void {
    this.line++;
    const trimmed = text.trim();
    if (!trimmed) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      this.accept(NOT_JSON, `line ${this.line}`);
      return;
    }
    this.accept(value, `line ${this.line}`);
  }
}

export function linesSink(accept: Accept) {
  return async (src: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder("utf8");
    const splitter = new LineSplitter(accept);
    for await (const chunk of src) splitter.push(decoder.write(chunk));
    splitter.push(decoder.end());
    splitter.end();
  };
}
