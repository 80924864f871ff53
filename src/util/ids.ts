// The deterministic ids of detections (rule matches, integrity problems, correlation firings) and
// their group keys: the same inputs give the same id in every run, so exactly-once holds by id.
import * as crypto from "node:crypto";

// crypto.hash (Node 20.12+) hashes in one call, without a Hash object per id (a scan makes two per
// detection); older Node 20 releases take the Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256Hex = oneShot
  ? (text: string) => oneShot("sha256", text, "hex")
  : (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** sha256 of the parts joined by NUL, first 32 hex digits. */
export function shortId(...parts: string[]): string {
  return sha256Hex(parts.join("\u0000")).slice(0, 32);
}
