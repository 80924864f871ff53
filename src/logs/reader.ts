// Reads one CloudTrail log file as a stream: gunzip when the bytes say gzip (magic 1f 8b, whatever
// the name), then parse `{"Records":[...]}` incrementally or JSON lines one line at a time. Records
// are handed out one by one, so memory does not grow with the file's size.

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { promisify } from "node:util";
import { createGunzip, gunzip } from "node:zlib";
import { LogFormatError, MAX_RECORD_CHARS, RecordsParser } from "./records-parser.ts";

const gunzipAsync = promisify(gunzip);

export type CloudTrailRecord = Record<string, unknown> & { eventID: string };

/** The file itself is unusable (corrupt gzip, truncated JSON, not a CloudTrail log, empty). */
export class BadLogError extends Error {
  override name = "BadLogError";
}

/** Reading the bytes failed (network, S3 error): worth retrying, the file is not bad. */
export class SourceReadError extends Error {
  override name = "SourceReadError";
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export interface ReadResult {
  /** Valid records handed to onRecord. */
  records: number;
  /** Records skipped: not an object, no eventID, or (JSON lines) a line that is not JSON. */
  invalid: number;
  /** Where and why, for the first few invalid records. */
  invalidSamples: string[];
  gzip: boolean;
}

export interface ReadOptions {
  /** JSON lines (one record per line) instead of a Records document. */
  lines: boolean;
  onRecord: (record: CloudTrailRecord) => void;
  /** Sees every uncompressed byte as it is parsed (log integrity hashes the file from here). */
  onContent?: (chunk: Uint8Array) => void;
}

const MAX_SAMPLES = 5;

/** JSON-lines files are told apart by name: .jsonl / .ndjson, optionally with .gz. */
export function isJsonLinesName(name: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(name);
}

/** Files up to this size are read whole: one gunzip call instead of a stream per file. */
export const WHOLE_FILE_MAX_BYTES = 256 * 1024;
/** A whole-read file that expands past this is read as a stream instead (gzip bombs). */
const WHOLE_TEXT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Read one log: a stream of bytes, or (small files) the whole content. Throws BadLogError for an
 * unusable file and SourceReadError when the bytes cannot be fetched.
 */
export async function readLog(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  opts: ReadOptions,
): Promise<ReadResult> {
  if (source instanceof Uint8Array) return readWhole(source, opts);
  const result: ReadResult = { records: 0, invalid: 0, invalidSamples: [], gzip: false };
  const accept = (value: unknown, where: string) => {
    const reason = recordProblem(value);
    if (reason) {
      result.invalid++;
      if (result.invalidSamples.length < MAX_SAMPLES) result.invalidSamples.push(`${where}: ${reason}`);
      return;
    }
    result.records++;
    opts.onRecord(value as CloudTrailRecord);
  };
  const head = await firstChunk(source);
  if (!head) throw new BadLogError("empty file");
  result.gzip = isGzip(head.first);
  const parse = opts.lines ? linesSink(accept) : recordsSink(accept);
  const onContent = opts.onContent;
  const sink = onContent
    ? (src: AsyncIterable<Buffer>) =>
        parse(
          (async function* () {
            for await (const chunk of src) {
              onContent(chunk);
              yield chunk;
            }
          })(),
        )
    : parse;
  const bytes = Readable.from(head.all(), { objectMode: false });
  try {
    if (result.gzip) await pipeline(bytes, createGunzip(), sink);
    else await pipeline(bytes, sink);
  } catch (err) {
    if (err instanceof SourceReadError || err instanceof BadLogError) throw err;
    if (err instanceof LogFormatError) throw new BadLogError(err.message);
    // Nothing else in the pipeline reads bytes from the source: this is gunzip refusing the data.
    throw new BadLogError(`corrupt gzip: ${(err as Error).message}`);
  }
  if (result.records === 0 && result.invalid === 0)
    throw new BadLogError(opts.lines ? "no records" : "empty Records");
  return result;
}

async function readWhole(data: Uint8Array, opts: ReadOptions): Promise<ReadResult> {
  if (!isGzip(data)) return readLog(once(data), opts);
  let text: Buffer;
  try {
    text = await gunzipAsync(data, { maxOutputLength: WHOLE_TEXT_MAX_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return readLog(once(data), opts);
    throw new BadLogError(`corrupt gzip: ${(err as Error).message}`);
  }
  const result = await readLog(once(text), opts);
  result.gzip = true;
  return result;
}

/** The gzip magic bytes 1f 8b. */
function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Stands for a JSON-lines line that does not parse. */
const NOT_JSON = Symbol("not JSON");

/** Why a parsed record cannot be used, or undefined when it is fine. */
function recordProblem(value: unknown): string | undefined {
  if (value === NOT_JSON) return "line is not JSON";
  if (!value || typeof value !== "object" || Array.isArray(value)) return "record is not a JSON object";
  const id = (value as Record<string, unknown>).eventID;
  if (typeof id !== "string" || id.length === 0) return "record without eventID";
  return undefined;
}

type Accept = (value: unknown, where: string) => void;

function recordsSink(accept: Accept) {
  return async (src: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder("utf8");
    const parser = new RecordsParser((record, index) => accept(record, `record ${index}`));
    for await (const chunk of src) parser.push(decoder.write(chunk));
    parser.push(decoder.end());
    parser.end();
  };
}

function linesSink(accept: Accept) {
  return async (src: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let line = 0;
    const take = (text: string) => {
      line++;
      const trimmed = text.trim();
      if (!trimmed) return;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        accept(NOT_JSON, `line ${line}`);
        return;
      }
      accept(value, `line ${line}`);
    };
    for await (const chunk of src) {
      rest += decoder.write(chunk);
      let nl = rest.indexOf("\n");
      while (nl >= 0) {
        take(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        nl = rest.indexOf("\n");
      }
      if (rest.length > MAX_RECORD_CHARS)
        throw new BadLogError(`line ${line + 1} longer than 32M characters`);
    }
    rest += decoder.end();
    if (rest.trim()) take(rest);
  };
}

/** Reads the first non-empty chunk (to sniff gzip) and gives back an iterable of everything. */
async function firstChunk(
  source: AsyncIterable<Uint8Array>,
): Promise<{ first: Uint8Array; all: () => AsyncGenerator<Uint8Array> } | undefined> {
  const it = source[Symbol.asyncIterator]();
  const next = async () => {
    try {
      return await it.next();
    } catch (err) {
      throw new SourceReadError(err);
    }
  };
  let r = await next();
  while (!r.done && r.value.length === 0) r = await next();
  if (r.done) return undefined;
  let first = r.value;
  // Two bytes are needed to recognise gzip; a one-byte first chunk is joined with the next.
  if (first.length < 2) {
    const more = await next();
    if (!more.done) first = Buffer.concat([first, more.value]);
  }
  return {
    first,
    all: async function* () {
      yield first;
      for (;;) {
        const c = await next();
        if (c.done) return;
        yield c.value;
      }
    },
  };
}
