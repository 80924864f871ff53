// npm run bench:explain — what "detections that explain themselves" cost on the scan's per-record
// path. Over the demo CloudTrail records (repeated to BENCH_RECORDS) and the shipped rules, one run
// measures, as medians of BENCH_RUNS repetitions:
//   A. RuleSet.evaluate on every record (the rule engine alone);
//   B. A + toDetection for every match, with the explanation (what processLogFile does now);
//   C. A + toDetection for every match, with the rule's explanation left out (as before issue 12).
// B − C is the explanation's cost; it is paid per match, never per record. Prints; never asserts.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { toDetection } from "../src/logs/detection.ts";
import type { RuleMatch } from "../src/logs/detector.ts";
import { loadRules } from "../src/rules/index.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
type Rec = Record<string, unknown>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function demoRecords(dir: string): Rec[] {
  const out: Rec[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    try {
      if (entry.name.endsWith(".json.gz"))
        out.push(...JSON.parse(gunzipSync(readFileSync(file)).toString()).Records);
      else if (entry.name.endsWith(".jsonl"))
        for (const line of readFileSync(file, "utf8").split("\n"))
          if (line.trim()) out.push(JSON.parse(line));
    } catch {
      // the demo's deliberately corrupt file
    }
  }
  return out;
}

const { ruleSet } = await loadRules([join(repo, "rules")]);
const samples = demoRecords(join(repo, "demo/logs"));
const records: Rec[] = Array.from({ length: RECORDS }, (_, i) => ({
  ...samples[i % samples.length],
  eventID: randomUUID(),
}));
const withoutExplain = new Map<RuleMatch, RuleMatch>(
  ruleSet.rules.map((r) => [
    r,
    {
      id: r.id,
      title: r.title,
      level: r.level,
      tags: r.tags,
      description: r.description,
      falsepositives: r.falsepositives,
      references: r.references,
    },
  ]),
);

function run(mode: "A" | "B" | "C"): { ms: number; matches: number } {
  let matches = 0;
  let sink = 0;
  const t0 = performance.now();
  for (const record of records) {
    const found = ruleSet.evaluate(record);
    matches += found.length;
    if (mode === "A") continue;
    for (const m of found) {
      const d = toDetection(mode === "B" ? m : withoutExplain.get(m)!, record, "bench");
      sink += d.id.length;
    }
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return { ms, matches };
}

const times: Record<"A" | "B" | "C", number[]> = { A: [], B: [], C: [] };
let matches = 0;
run("B"); // warm-up
for (let i = 0; i < RUNS; i++)
  for (const mode of ["A", "B", "C"] as const) {
    const r = run(mode);
    times[mode].push(r.ms);
    matches = r.matches;
  }
const [a, b, c] = (["A", "B", "C"] as const).map((m) => median(times[m]));
console.log(
  `${RECORDS.toLocaleString("en-US")} records, ${ruleSet.rules.length} rules, ${matches.toLocaleString("en-US")} matches (${((100 * matches) / RECORDS).toFixed(1)}%), medians of ${RUNS}:`,
);
console.log(
  `  A evaluate only                          ${a.toFixed(0)} ms  (${Math.round((RECORDS / a) * 1000).toLocaleString("en-US")} records/s)`,
);
console.log(`  B evaluate + detections with explanation  ${b.toFixed(0)} ms`);
console.log(`  C evaluate + detections, no explanation   ${c.toFixed(0)} ms`);
console.log(
  `  explanation: ${(b - c).toFixed(0)} ms in all, ${(((b - c) * 1000) / Math.max(matches, 1)).toFixed(2)} µs per match; ${(((b - c) / b) * 100).toFixed(1)}% of B`,
);
