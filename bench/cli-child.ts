// Runs the trailwarden CLI (its real entry point) and, at exit, writes the process's peak RSS (all
// threads) in KB and its CPU time in ms to $BENCH_RSS_FILE. Used by bench/scan.bench.ts.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.BENCH_RSS_FILE!, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}`);
});
await import("../src/cli/main.ts");
