// Starting the scan's worker threads. Each worker compiles the rule set itself, from the same rule
// paths and placeholders as the main thread, and is refused unless it built the same set (same
// fingerprint): every file is judged by exactly the rules the main thread loaded.
import { createHash } from "node:crypto";
import type { RuleSelection } from "../config/types.ts";
import { ScanWorkerPool } from "../logs/workers/pool.ts";
import type { CompiledRule, RuleSources } from "../rules/index.ts";

export interface WorkerRules {
  paths: string[];
  placeholders: Record<string, string[]>;
  /** rules.includeStatuses / select / exclude; undefined: the defaults. */
  selection?: RuleSelection;
  /** The rule files as the main thread read them: compiled as they are, without reading the disk. */
  sources?: RuleSources;
}

/** Says which rules were loaded, from where, with what content. */
export function ruleFingerprint(rules: readonly CompiledRule[]): string {
  const h = createHash("sha256");
  for (const r of rules) h.update(JSON.stringify([r.id, r.title, r.level, r.file, r.line, r.pins]));
  return h.digest("hex");
}

/** The worker entry beside this module: TypeScript sources under tsx, or the built JavaScript. */
export function scanWorkerEntry(): URL {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./scan-worker${ext}`, import.meta.url);
}

/**
 * Start `count` scan workers; none (undefined) for 0, and files are then judged on the main thread.
 * `loaded` may still be compiling: the workers start meanwhile and are checked against it.
 */
export async function startScanWorkers(
  count: number,
  rules: WorkerRules,
  loaded: readonly CompiledRule[] | Promise<readonly CompiledRule[]>,
): Promise<ScanWorkerPool | undefined> {
  if (count <= 0) return undefined;
  const fingerprint = Promise.resolve(loaded).then(ruleFingerprint);
  // Awaited by each worker once it is ready; a failed load is the caller's to report (and the pool
  // then fails to start), never an unhandled rejection meanwhile.
  fingerprint.catch(() => {});
  return ScanWorkerPool.start({ size: count, entry: scanWorkerEntry(), init: rules, fingerprint });
}
