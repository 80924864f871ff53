// `trailwarden demo`: one `daemon --once` cycle on bundled data (demo/config.yaml with
// demo/inventory.json and demo/logs), then a short summary; state and reports go to
// ./.trailwarden/demo/. It exits 0 when the cycle worked,
// whatever the findings: the demo data is meant to show failing checks and detections.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import type { OnceResult } from "../daemon/daemon.ts";
import type { AuditReportView, ScanSummaryView } from "../daemon/types.ts";
import type { Detection } from "../logs/detection.ts";
import { DETECTIONS_FILE } from "../logs/scan.ts";
import { failingChecksBrief, topDetectionsBrief } from "../report/brief.ts";
import type { Colors } from "../report/table.ts";
import { type Command, CommandError, EXIT, parseFlags } from "./command.ts";
import { buildDaemon, runOnceWithSignals } from "./daemon.ts";
import { chooseOutput, colorsFor } from "./format.ts";

const demoDir = fileURLToPath(new URL("../../demo/", import.meta.url));
const usage = `usage: trailwarden demo

Runs one audit + scan cycle (\`daemon --once\`) on the bundled example data: the inventory snapshot
demo/inventory.json and the CloudTrail files under demo/logs, with the rules in rules/ (all
bundled with trailwarden). Prints the findings by status, the failing checks with their
resources, the detections by level, the most severe detections with why they matched, and where
the reports are: .trailwarden/demo/reports in the working directory (reset on every run), with
latest-audit.html.

exit status: 0 when the cycle worked (whatever the findings), 3 when a job could not run`;

/** The demo only ever deletes its own folders: both must sit under a `.trailwarden/demo` folder. */
function resetDemoDirs(config: Config): void {
  for (const dir of [config.state.dir, config.output.dir]) {
    if (!dir.split(sep).join("/").includes("/.trailwarden/demo/"))
      throw new CommandError(`refusing to reset ${dir}: not under a .trailwarden/demo folder`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function demoSummary(
  once: OnceResult,
  audit: AuditReportView | undefined,
  scan: ScanSummaryView | undefined,
  reportsDir: string,
  c: Colors,
): string {
  const lines: string[] = [];
  if (audit) {
    const by = { PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 };
    for (const f of audit.findings) by[f.status]++;
    lines.push(
      `audit: ${audit.findings.length} findings: ${by.PASS} PASS, ${by.FAIL} FAIL, ${by.ERROR} ERROR (daemon --once exits ${once.code})`,
    );
    if (by.FAIL + by.ERROR) lines.push(c.bold("failing checks:"), ...failingChecksBrief(audit.findings, c));
  } else lines.push(`audit: did not complete: ${once.audit?.error ?? "unknown error"}`);
  if (scan) {
    const levels = Object.entries(scan.detections.byLevel ?? {})
      .sort(([a], [b]) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))
      .map(([level, n]) => `${n} ${level}`);
    lines.push(
      `scan: ${scan.files.read} log files, ${scan.records.read} records, ${scan.detections.total} detections${levels.length ? ` (${levels.join(", ")})` : ""}${scan.errors.length ? `, ${scan.errors.length} errors` : ""}${scan.files.bad ? `, ${plural(scan.files.bad, "bad file")} reported` : ""}`,
    );
    const top = topDetectionsBrief(readDetections(join(reportsDir, DETECTIONS_FILE)), c);
    if (top.length) lines.push(c.bold("top detections:"), ...top);
  } else lines.push(`scan: did not complete: ${once.scan?.error ?? "unknown error"}`);
  const where = relative(process.cwd(), reportsDir) || ".";
  const files = existsSync(reportsDir)
    ? readdirSync(reportsDir)
        .filter((f) => !f.startsWith("."))
        .sort()
    : [];
  lines.push(`reports in ${where}/: ${files.join(", ") || "(none)"}`);
  return `${lines.join("\n")}\n`;
}

/** detections.jsonl, one detection a line; an unreadable line is skipped (the summary is a courtesy). */
function readDetections(file: string): Detection[] {
  if (!existsSync(file)) return [];
  const out: Detection[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Detection);
    } catch {
      // a torn last line after a crash: not this summary's business
    }
  }
  return out;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

const LEVEL_ORDER = ["critical", "high", "medium", "low", "informational"];

export const demoCommand: Command = {
  name: "demo",
  summary: "run one daemon cycle on bundled example data (no AWS account needed)",
  usage,
  async run(argv) {
    parseFlags(argv, {});
    const configFile = `${demoDir}config.yaml`;
    const inventory = `${demoDir}inventory.json`;
    if (!existsSync(inventory)) throw new CommandError(`${inventory} is missing`);
    const config = loadConfigFile(configFile);
    // An installed package may be read-only (a global install, the container image), so the demo
    // keeps its state and reports under .trailwarden/demo in the working directory.
    config.state.dir = resolve(".trailwarden/demo/state");
    config.output.dir = resolve(".trailwarden/demo/reports");
    resetDemoDirs(config);
    process.stdout.write(
      "trailwarden demo: one daemon --once cycle over demo/inventory.json and demo/logs\n",
    );
    const parts = await buildDaemon(config, inventory);
    const once = await runOnceWithSignals(parts);
    process.stdout.write(
      demoSummary(
        once,
        parts.daemon.lastAuditReport,
        parts.daemon.lastScanSummary,
        config.output.dir,
        colorsFor(chooseOutput({}, ["table"])),
      ),
    );
    const worked = once.audit?.outcome === "success" && once.scan?.outcome === "success";
    return worked ? EXIT.OK : EXIT.ERROR;
  },
};
