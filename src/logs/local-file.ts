// Opening one local log file without ever blocking: O_NONBLOCK so a FIFO put where a log was does
// not hang the scan, and a check on the open descriptor that it is a regular file.
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { BadLogError, SourceReadError, WHOLE_FILE_MAX_BYTES } from "./reader.ts";

/** The whole content (small files) or a stream of it. */
export async function openLocalLog(path: string): Promise<Uint8Array | AsyncIterable<Uint8Array>> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new BadLogError("symlink loop");
    throw new SourceReadError(err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new BadLogError(`not a regular file (${kindOf(st)})`);
    if (st.size <= WHOLE_FILE_MAX_BYTES) {
      try {
        return await fh.readFile();
      } catch (err) {
        throw new SourceReadError(err);
      } finally {
        await fh.close();
      }
    }
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
  return fh.createReadStream({ highWaterMark: 64 * 1024, autoClose: true });
}

/**
 * The same, with synchronous calls: for a scan worker, where blocking holds up only that worker and
 * the calls cost a fraction of their promise versions.
 */
export function openLocalLogSync(path: string): Uint8Array | AsyncIterable<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") throw new BadLogError("symlink loop");
    throw new SourceReadError(err);
  }
  let streaming = false;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BadLogError(`not a regular file (${kindOf(st)})`);
    if (st.size > WHOLE_FILE_MAX_BYTES) {
      streaming = true;
      return createReadStream("", { fd, highWaterMark: 64 * 1024, autoClose: true });
    }
    try {
      return readAll(fd, st.size);
    } catch (err) {
      throw new SourceReadError(err);
    }
  } finally {
    if (!streaming) closeSync(fd);
  }
}

/**
 * The file's `size` bytes as fstat gave them (fewer if it shrank). Bytes appended since are left to
 * the next run: the file's size is part of its mark, so a grown file is read again then.
 */
function readAll(fd: number, size: number): Uint8Array {
  const buf = Buffer.allocUnsafeSlow(size);
  let length = 0;
  while (length < size) {
    const n = readSync(fd, buf, length, size - length, length);
    if (n === 0) break;
    length += n;
  }
  return length === size ? buf : buf.subarray(0, length);
}

export function kindOf(st: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
}): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isDirectory()) return "a directory";
  return "not a file";
}
