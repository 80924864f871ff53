// What every log source gets from the scan, and what it gives back.
import type { AwsClients } from "../../aws/clients.ts";
import type { Config } from "../../config/types.ts";
import type { StateStore } from "../../state/store.ts";
import type { Limiter } from "../../util/limit.ts";
import type { ProcessContext } from "../processor.ts";
import type { SourceSummary } from "../summary.ts";
import type { StreamIntegrity } from "./s3-integrity.ts";

export interface SourceRunContext extends ProcessContext {
  config: Config;
  state: StateStore;
  /** Bounds the log files read at once, across all sources (logs.concurrency). */
  limit: Limiter;
  clients?: AwsClients;
  now: Date;
  /** First run: start here instead of the look-back. */
  since?: Date;
  /** SQS: stop when a long poll returns nothing. */
  drain: boolean;
  /** Log integrity (logs.verifyIntegrity): the s3:// source verifies digests and hashes log files. */
  integrity?: StreamIntegrity;
}

export interface LogSource {
  readonly url: string;
  readonly type: SourceSummary["type"];
  run(ctx: SourceRunContext): Promise<SourceSummary>;
  /** After a run: drop the marks this source will never list again (cost: what it drops). */
  prune?(state: StateStore, now: number, retentionMs: number): void;
}
