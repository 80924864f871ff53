import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { startScanWorkers } from "../../src/daemon/scan-workers.ts";
import { encodeDetection, reportText } from "../../src/logs/detection.ts";
import { DetectionSpill } from "../../src/logs/detection-spill.ts";
import { scanLocal, scanLocalSpilled } from "../../src/logs/local.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import type { ScanWorkerPool } from "../../src/logs/workers/pool.ts";
import { renderAs } from "../../src/report/render.ts";
import { scanReportJson } from "../../src/report/scan-json.ts";
import type { ScanReport } from "../../src/report/scan-report.ts";
import { loadRules } from "../../src/rules/index.ts";
import { logBody, record, tempDir } from "./support.ts";

const rulesDir = fileURLToPath(new URL("../fixtures/ingest-rules/", import.meta.url));
const colors = { colors: pc.createColors(false) };

/** Files whose detections tie on eventTime, carry non-ASCII text and repeat a record across files. */
function folder(): string {
  const logs = join(tempDir(), "logs");
  mkdirSync(logs);
  for (let f = 0; f < 5; f++) {
    const records = [];
    for (let r = 0; r < 40; r++) {
      const n = f * 40 + r;
      records.push(
        record(`ev-${String((n * 37) % 200).padStart(3, "0")}`, n % 3 ? "StopLogging" : "DescribeTrails", {
          eventTime: `2026-11-20T10:0${n % 4}:00Z`,
          userAgent: n % 5 ? 'aws-cli/2 ☃ \u2028 "quoted"\n' : "console",
          requestParameters: { name: `trail-${n}`, nested: { list: [1, 2.5, null, true, {}], empty: [] } },
        }),
      );
    }
    // The same record delivered twice (two trails): one detection.
    records.push(record("ev-000", "StopLogging", { eventTime: "2026-11-20T10:00:00Z" }));
    writeFileSync(join(logs, `f${f}.json.gz`), logBody(records));
  }
  return logs;
}

function report(summary: ScanReport["summary"]): ScanReport {
  return {
    schemaVersion: 1,
    tool: { name: "trailwarden", version: "0.0.0-test" },
    rules: { loaded: 2, problems: [] },
    summary,
  };
}

function streamed(r: ScanReport, spill: DetectionSpill): string {
  return [...scanReportJson(r, spill.texts())]
    .map((c) => (typeof c === "string" ? c : Buffer.from(c).toString("utf8")))
    .join("");
}

describe("the --logs report's detections, spilled to disk", () => {
  let detector: Awaited<ReturnType<typeof loadRules>>["ruleSet"];
  let pool: ScanWorkerPool | undefined;
  before(async () => {
    const loaded = await loadRules([rulesDir]);
    detector = loaded.ruleSet;
    pool = await startScanWorkers(2, { paths: [rulesDir], placeholders: {} }, loaded.ruleSet.rules);
  });
  after(() => pool?.close());

  it("streams a JSON report byte for byte identical to the one rendered from the detections in memory", async () => {
    const logs = folder();
    // One file at a time: which copy of the record read twice is kept depends on commit order, and
    // this test is about the report's form, not about that order.
    const inMemory = await scanLocal({ paths: [logs], detector, includeEvent: true, concurrency: 1 });
    const spilled = await scanLocalSpilled({ paths: [logs], detector, includeEvent: true, concurrency: 1 });
    try {
      assert.ok(inMemory.detections.length > 50);
      assert.equal(spilled.detections.count, inMemory.detections.length);
      // The summaries differ only in their clock fields.
      spilled.summary.startedAt = inMemory.summary.startedAt;
      spilled.summary.finishedAt = inMemory.summary.finishedAt;
      const rendered = renderAs(
        "json",
        { scans: [{ ...report(inMemory.summary), detections: inMemory.detections }] },
        colors,
      );
      assert.equal(streamed(report(spilled.summary), spilled.detections), rendered);
    } finally {
      spilled.detections.close();
    }
  });

  it("gives the detections in the same order as the in-memory scan, also when workers serialised them", async () => {
    const logs = folder();
    // One file at a time, as above: the kept copy of the record read twice depends on commit order.
    const inMemory = await scanLocal({ paths: [logs], detector, concurrency: 1 });
    const spilled = await scanLocalSpilled({ paths: [logs], detector, pool, concurrency: 1 });
    try {
      assert.deepEqual(spilled.detections.toArray(), inMemory.detections);
    } finally {
      spilled.detections.close();
    }
  });

  it("writes an empty detections list as the renderer does", () => {
    const spill = new DetectionSpill();
    try {
      const r = report(scanSummaryStub());
      assert.equal(streamed(r, spill), renderAs("json", { scans: [{ ...r, detections: [] }] }, colors));
    } finally {
      spill.close();
    }
  });

  it("keeps its texts in a private temp folder that close() removes", () => {
    const parent = tempDir();
    const spill = new DetectionSpill(parent);
    const [dir] = readdirSync(parent);
    spill.keep(encodeDetection(detection("a"), "report"));
    assert.equal(spill.count, 1);
    spill.close();
    assert.equal(existsSync(join(parent, dir)), false);
  });

  it("serialises a detection in report form exactly as the report nests it", () => {
    const d = detection("x");
    const nested = JSON.stringify({ detections: [d] }, null, 2);
    assert.ok(nested.includes(`\n    ${reportText(d)}\n`));
  });
});

function detection(eventID: string) {
  return {
    id: `id-${eventID}`,
    ruleId: "r",
    ruleTitle: "R",
    level: "high",
    tags: ["a", "b"],
    eventID,
    eventTime: "2026-11-20T10:00:00Z",
    eventSource: "s",
    eventName: "n",
    awsRegion: "us-east-1",
    recipientAccountId: "1",
    sourceIPAddress: "1.2.3.4",
    principal: "p",
    logFile: "f",
    groupKey: "g",
    match: { selections: ["sel"], fields: { eventName: "n" } },
  };
}

function scanSummaryStub(): ScanReport["summary"] {
  return { ...emptySummary(new Date("2026-11-20T10:00:00.000Z")), finishedAt: "2026-11-20T10:00:01.000Z" };
}
