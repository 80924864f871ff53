// Runs the trailwarden CLI (its real entry point) and, at exit, writes the process's peak RSS (all
// threads) in KB to $BENCH_RSS_FILE. Used by bench/scan.bench.ts.
import { writeFileSync } from "node:fs";

process.on("exit", () => writeFileSync(process.env.BENCH_RSS_FILE!, String(process.resourceUsage().maxRSS)));
await import("../src/cli/main.ts");
