// SHA-256 of a log file's uncompressed bytes: the hashValue a digest lists. Two ways in: from a
// (gzipped) stream on its own (`verify`), or fed chunk by chunk with the uncompressed bytes a
// reader already produces (the scan), so no byte is downloaded or inflated twice.
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { LogHash } from "./types.ts";

/** Accumulates uncompressed content; `digest()` gives the hex SHA-256. */
export class ContentHasher {
  private readonly hash: Hash = createHash("sha256");
  private done?: string;
  bytes = 0;

  /** Feed the next uncompressed chunk (the reader's onContent hook). */
  readonly update = (chunk: Uint8Array): void => {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  };

  digest(): string {
    this.done ??= this.hash.digest("hex");
    return this.done;
  }
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

/**
 * Hash the uncompressed content of a log file's bytes (gunzipped when they start with gzip's
 * magic). A gzip stream that does not inflate gives `corrupt`; a failing source throws.
 */
export async function hashUncompressed(source: AsyncIterable<Uint8Array> | Uint8Array): Promise<LogHash> {
  const it = chunksOf(source);
  const hasher = new ContentHasher();
  let head = await it.next();
  while (!head.done && head.value.length === 0) head = await it.next();
  if (head.done) return { sha256: hasher.digest() };
  const first = head.value;
  const all = Readable.from(
    (async function* () {
      yield first;
      yield* it;
    })(),
    { objectMode: false },
  );
  const sink = async (src: AsyncIterable<Uint8Array>) => {
    for await (const c of src) hasher.update(c);
  };
  if (!(first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b)) {
    await sink(all);
    return { sha256: hasher.digest() };
  }
  try {
    await pipeline(all, createGunzip(), sink);
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("Z_")) return { corrupt: (err as Error).message };
    throw err;
  }
  return { sha256: hasher.digest() };
}
