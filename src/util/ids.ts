// The deterministic ids of detections (rule matches, integrity problems, correlation firings) and
// their group keys: the same inputs give the same id in every run, so exactly-once holds by id.
import { createHash } from "node:crypto";

/** sha256 of the parts joined by NUL, first 32 hex digits. */
export function shortId(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}
