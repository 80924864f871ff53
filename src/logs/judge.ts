// Judging one log file: read it, evaluate the detector on every record, and hand each detection
// on as it is found. Runs in a scan worker, or on the main thread when there are none.
import { ContentHasher } from "../integrity/hash.ts";
import { type Detection, toDetection } from "./detection.ts";
import type { Detector } from "./detector.ts";
import { type ReadResult, readLog } from "./reader.ts";

/** Per rule id: records on which that rule threw, and the first error's message. */
export type RuleErrors = Record<string, { count: number; first: string }>;

/** The evaluationErrors key for a record on which the detector as a whole failed. */
export const ALL_RULES = "*";

export interface JudgeResult extends ReadResult {
  /** One rule throwing on a record costs only that rule its verdict; counted here per rule. */
  evalErrors: RuleErrors;
  /** With input.hash: SHA-256 of the uncompressed file, hex (what a CloudTrail digest lists). */
  sha256?: string;
}

export interface FileLimits {
  /** logs.maxFileBytes: decompressed bytes per file. */
  maxBytes?: number;
  /** logs.fileTimeoutSeconds, in ms. */
  timeoutMs?: number;
}

export interface JudgeInput {
  logFile: string;
  lines: boolean;
  limits: FileLimits;
  /** When the file was started (epoch ms); the time limit counts from here. */
  startedAt: number;
  /** Detections carry the raw record (output.includeEvent). */
  includeEvent?: boolean;
  /** Hash the uncompressed bytes for log integrity. */
  hash?: boolean;
}

/** Read and judge one file. Throws BadLogError (detections before the damage were already added). */
export async function judgeFile(
  detector: Detector,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  input: JudgeInput,
  add: (d: Detection) => void,
): Promise<JudgeResult> {
  const evalErrors: RuleErrors = {};
  const onRuleError = (rule: { id: string }, err: unknown) => {
    const seen = evalErrors[rule.id];
    if (seen) seen.count++;
    else evalErrors[rule.id] = { count: 1, first: (err as Error)?.message ?? String(err) };
  };
  const { maxBytes, timeoutMs } = input.limits;
  const hasher = input.hash ? new ContentHasher() : undefined;
  const detection = { includeEvent: input.includeEvent === true };
  const result = await readLog(source, {
    lines: input.lines,
    onContent: hasher?.update,
    maxBytes,
    deadline: timeoutMs === undefined ? undefined : input.startedAt + timeoutMs,
    deadlineLabel: timeoutMs === undefined ? undefined : timeoutLabel(timeoutMs),
    onRecord: (record) => {
      let matches: ReturnType<Detector["evaluate"]>;
      try {
        matches = detector.evaluate(record, onRuleError);
      } catch (err) {
        // The detector itself failed (not one rule): reported under "*", never silently.
        onRuleError({ id: ALL_RULES }, err);
        return;
      }
      for (const m of matches) {
        const d = toDetection(m, record, input.logFile, detection);
        // Correlations need a few fields of the record; they are taken here, where the record is
        // (on a worker too), as plain data the main thread's correlator consumes at commit.
        if (m.correlation)
          d.correlationInput = { event: m.correlation.project(record), emit: m.correlation.emit };
        add(d);
      }
    },
  });
  return hasher ? { ...result, evalErrors, sha256: hasher.digest() } : { ...result, evalErrors };
}

/** The per-file limits of a config's logs section. */
export function fileLimits(config: {
  logs: { maxFileBytes: number; fileTimeoutSeconds: number };
}): FileLimits {
  return { maxBytes: config.logs.maxFileBytes, timeoutMs: config.logs.fileTimeoutSeconds * 1000 };
}

export function timeoutLabel(ms: number): string {
  return `logs.fileTimeoutSeconds (${ms / 1000} s)`;
}
