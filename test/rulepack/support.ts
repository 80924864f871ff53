// Helpers for the rule pack tests: the shipped rules, and CloudTrail records read from log files.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type CompiledCorrelation, type CompiledRule, loadRules } from "../../src/rules/index.ts";

export const RULES_DIR = fileURLToPath(new URL("../../rules/", import.meta.url));
export const DEMO_LOGS_DIR = fileURLToPath(new URL("../../demo/logs/", import.meta.url));
export const CORPUS_SAMPLES_DIR = fileURLToPath(
  new URL("../../../shared/corpus/cloudtrail-samples/invictus-aws-dataset/", import.meta.url),
);

type CloudTrailRecord = Record<string, unknown>;

/** Every file under dir, recursively, in a stable order. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The records of one log file: `{"Records":[...]}` (optionally gzipped) or JSON lines. Throws on bad input. */
export function recordsOf(file: string): CloudTrailRecord[] {
  const raw = readFileSync(file);
  const text = (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  if (/\.(jsonl|ndjson)(\.gz)?$/.test(file)) {
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as CloudTrailRecord);
  }
  return (JSON.parse(text) as { Records: CloudTrailRecord[] }).Records;
}

/** The shipped rules; fails the test when any of them does not load. */
export async function shippedRules(): Promise<{
  rules: readonly CompiledRule[];
  correlations: readonly CompiledCorrelation[];
  problems: string[];
}> {
  const loaded = await loadRules([RULES_DIR]);
  return {
    rules: loaded.ruleSet.rules,
    correlations: loaded.correlations.correlations,
    problems: loaded.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`),
  };
}

/** For each shipped rule file name, the "eventName:eventID" of every record it matches. */
export async function detectionsByRuleFile(
  records: readonly CloudTrailRecord[],
): Promise<Map<string, string[]>> {
  const loaded = await loadRules([RULES_DIR]);
  const byFile = new Map<string, string[]>(loaded.ruleSet.rules.map((r) => [baseName(r.file), []]));
  for (const record of records) {
    for (const rule of loaded.ruleSet.evaluate(record)) {
      // A correlation's building block emits no detection of its own.
      if (rule.correlation && !rule.correlation.emit) continue;
      byFile.get(baseName(rule.file))!.push(`${record.eventName}:${record.eventID}`);
    }
  }
  return byFile;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop()!;
}
