// Reads one CloudTrail log file: gunzip when the bytes say gzip (magic 1f 8b, whatever the name).
// A file that decompresses to at most PARSE_WHOLE_MAX_CHARS is parsed with one JSON.parse (the
// fastest parser Node has; CloudTrail files are small). Anything bigger, and any document the whole
// parse refuses, goes through the incremental parser, which hands records out one by one (memory
// does not grow with the file's size) and keeps the records before a damaged spot.

import { isAscii } from "node:buffer";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { promisify } from "node:util";
import { createGunzip, gunzip } from "node:zlib";
import { type Accept, LineSplitter, linesSink, NOT_JSON } from "./json-lines.ts";
import { LogFormatError, RecordsParser } from "./records-parser.ts";

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
  /** Sees every uncompressed byte once, as it is parsed (log integrity hashes the file from here). */
  onContent?: (chunk: Uint8Array) => void;
  /** A file that decompresses to more bytes than this is bad (logs.maxFileBytes). */
  maxBytes?: number;
  /** A file still being read at this time (epoch ms) is bad (logs.fileTimeoutSeconds). */
  deadline?: number;
  /** Says what the deadline is, for the error ("logs.fileTimeoutSeconds 300"). */
  deadlineLabel?: string;
}

const MAX_SAMPLES = 5;

/** JSON-lines files are told apart by name: .jsonl / .ndjson, optionally with .gz. */
export function isJsonLinesName(name: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(name);
}

/**
 * Files up to this size are read whole: one gunzip call instead of a stream per file, and for S3
 * bytes a scan worker can be given. At most logs.concurrency such files are held at once.
 */
export const WHOLE_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** A whole-read file that expands past this is read as a stream instead (gzip bombs). */
const WHOLE_TEXT_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Decompressed text up to this size is parsed with one JSON.parse. The parsed document costs a
 * few times its text in heap; 8 MiB keeps a worker well under 100 MB while covering CloudTrail's
 * usual files (a 1,000-record file is 1-3 MB).
 */
export const PARSE_WHOLE_MAX_CHARS = 8 * 1024 * 1024;
/** Output chunk of the whole-file gunzip. */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;
/** The deadline is checked every this many records. */
const DEADLINE_EVERY = 256;

/** What a file over logs.maxFileBytes is told. */
function tooLarge(max: number): BadLogError {
  return new BadLogError(`file larger than logs.maxFileBytes (${max} bytes decompressed)`);
}

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
  const accept = acceptor(result, opts);
  const head = await firstChunk(source);
  if (!head) throw new BadLogError("empty file");
  result.gzip = isGzip(head.first);
  const sink = opts.lines ? linesSink(accept) : recordsSink(accept);
  const bytes = Readable.from(head.all(), { objectMode: false });
  const limit = bounded(opts);
  try {
    if (result.gzip) await pipeline(bytes, createGunzip(), limit.through, sink);
    else await pipeline(bytes, limit.through, sink);
  } catch (err) {
    // A limit stops the pipeline midway; what the stream reports then is the abort, not the reason.
    if (limit.stopped) throw limit.stopped;
    if (err instanceof SourceReadError || err instanceof BadLogError) throw err;
    if (err instanceof LogFormatError) throw new BadLogError(err.message);
    // Nothing else in the pipeline reads bytes from the source: this is gunzip refusing the data.
    throw new BadLogError(`corrupt gzip: ${(err as Error).message}`);
  }
  return finish(result, opts);
}

function finish(result: ReadResult, opts: ReadOptions): ReadResult {
  if (result.records === 0 && result.invalid === 0)
    throw new BadLogError(opts.lines ? "no records" : "empty Records");
  return result;
}

/** Checks each accepted value, counts it, and hands valid records on; watches the deadline. */
function acceptor(result: ReadResult, opts: ReadOptions): Accept {
  let seen = 0;
  return (value, where) => {
    if (opts.deadline !== undefined && ++seen % DEADLINE_EVERY === 0) checkDeadline(opts);
    const reason = recordProblem(value);
    if (reason) {
      result.invalid++;
      if (result.invalidSamples.length < MAX_SAMPLES) result.invalidSamples.push(`${where}: ${reason}`);
      return;
    }
    result.records++;
    opts.onRecord(value as CloudTrailRecord);
  };
}

function checkDeadline(opts: ReadOptions): void {
  if (opts.deadline !== undefined && Date.now() > opts.deadline)
    throw new BadLogError(`reading took longer than ${opts.deadlineLabel ?? "the time allowed per file"}`);
}

/** Passes bytes through, refusing the file past maxBytes and after the deadline. */
function bounded(opts: ReadOptions) {
  const state: { stopped?: BadLogError; through: (src: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> } = {
    through: async function* (src) {
      let total = 0;
      for await (const chunk of src) {
        total += chunk.length;
        try {
          if (opts.maxBytes !== undefined && total > opts.maxBytes) throw tooLarge(opts.maxBytes);
          checkDeadline(opts);
        } catch (err) {
          state.stopped = err as BadLogError;
          throw err;
        }
        opts.onContent?.(chunk);
        yield chunk;
      }
    },
  };
  return state;
}

async function readWhole(data: Uint8Array, opts: ReadOptions): Promise<ReadResult> {
  if (!isGzip(data)) {
    if (data.length > PARSE_WHOLE_MAX_CHARS) return readLog(once(data), opts);
    if (opts.maxBytes !== undefined && data.length > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return parseWhole(Buffer.from(data.buffer, data.byteOffset, data.length), false, opts);
  }
  let text: Buffer;
  try {
    text = await gunzipAsync(data, {
      maxOutputLength: Math.min(WHOLE_TEXT_MAX_BYTES, (opts.maxBytes ?? Infinity) + 1),
      // zlib's default 16 KiB output chunks cost 2.5x the CPU of one-shot inflation (a JS callback
      // and a copy per chunk); 1 MiB chunks cost the same as gunzipSync and stay off this thread.
      chunkSize: GUNZIP_CHUNK_BYTES,
    });
  } catch (err) {
    // Too big to hold whole: the stream reads it (and enforces maxBytes with the reason).
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return readLog(once(data), opts);
    throw new BadLogError(`corrupt gzip: ${(err as Error).message}`);
  }
  if (opts.maxBytes !== undefined && text.length > opts.maxBytes) throw tooLarge(opts.maxBytes);
  if (text.length > PARSE_WHOLE_MAX_CHARS) {
    const result = await readLog(once(text), opts);
    result.gzip = true;
    return result;
  }
  return parseWhole(text, true, opts);
}

/**
 * One JSON.parse for the whole document when it is a well-formed CloudTrail log. Anything else
 * (invalid or truncated JSON, another shape, two Records keys) goes through the incremental parser,
 * so the errors, and the records kept before a damaged spot, are exactly those of the stream.
 */
function parseWhole(bytes: Buffer, gzip: boolean, opts: ReadOptions): ReadResult {
  if (bytes.length === 0) throw new BadLogError("empty file");
  checkDeadline(opts);
  opts.onContent?.(bytes);
  const result: ReadResult = { records: 0, invalid: 0, invalidSamples: [], gzip };
  const accept = acceptor(result, opts);
  // Pure ASCII (CloudTrail escapes most of what is not) decodes as latin1, a plain copy, several
  // times faster than UTF-8 decoding and the same string.
  const text = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const records = opts.lines ? undefined : wholeRecords(text);
  try {
    if (opts.lines) {
      const lines = new LineSplitter(accept);
      lines.push(text);
      lines.end();
    } else if (records) for (let i = 0; i < records.length; i++) accept(records[i], `record ${i}`);
    else {
      const parser = new RecordsParser((record, index) => accept(record, `record ${index}`));
      parser.push(text);
      parser.end();
    }
  } catch (err) {
    if (err instanceof LogFormatError) throw new BadLogError(err.message);
    throw err;
  }
  return finish(result, opts);
}

/** The Records array of a well-formed `{"Records":[...]}` text, or undefined to take the slow road. */
function wholeRecords(text: string): unknown[] | undefined {
  // JSON.parse keeps only the last of duplicate keys, the stream reads both: let the stream decide.
  const first = text.indexOf('"Records"');
  if (first < 0 || text.indexOf('"Records"', first + 9) >= 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const records = (doc as { Records?: unknown }).Records;
  return Array.isArray(records) ? records : undefined;
}

/** The gzip magic bytes 1f 8b. */
function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Why a parsed record cannot be used, or undefined when it is fine. */
function recordProblem(value: unknown): string | undefined {
  if (value === NOT_JSON) return "line is not JSON";
  if (!value || typeof value !== "object" || Array.isArray(value)) return "record is not a JSON object";
  const id = (value as Record<string, unknown>).eventID;
  if (typeof id !== "string" || id.length === 0) return "record without eventID";
  return undefined;
}

function recordsSink(accept: Accept) {
  return async (src: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder("utf8");
    const parser = new RecordsParser((record, index) => accept(record, `record ${index}`));
    for await (const chunk of src) parser.push(decoder.write(chunk));
    parser.push(decoder.end());
    parser.end();
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
