import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { startProgress } from "../../src/cli/progress.ts";
import { withProgressLog } from "../../src/daemon/progress-log.ts";
import { auditProgressLine, scanProgressLine } from "../../src/report/progress-line.ts";
import { createLogger } from "../../src/util/logger.ts";
import { scanProgress } from "../../src/util/progress.ts";

const snap = (counts: Record<string, number>, totals: Record<string, number> = {}) => ({
  startedAt: 0,
  counts,
  totals,
});

function fakeTerminal(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  let out = "";
  stream.on("data", (d) => {
    out += d;
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe("progress", () => {
  it("shows a scan's files, records, rate and, when the total is known, the ETA", () => {
    assert.equal(
      scanProgressLine(snap({ files: 100, records: 50_000 }, { files: 400 }), 10_000),
      "scan: 100/400 files, 50,000 records, 5,000 records/s, ETA 30s",
    );
    assert.equal(
      scanProgressLine(snap({ files: 3, records: 10 }), 1000),
      "scan: 3 files, 10 records, 10 records/s",
    );
  });

  it("shows an audit's accounts done of total, regions, calls and errors", () => {
    assert.equal(
      auditProgressLine(
        snap({ accounts: 2, regions: 34, calls: 412, errors: 1 }, { accounts: 3, regions: 51 }),
        12_000,
      ),
      "audit: 2/3 accounts, 34/51 regions, 412 calls, 1 error, 12s",
    );
  });

  it("draws on a terminal's stderr and clears the line at the end", async () => {
    const t = fakeTerminal(true);
    const display = startProgress("scan", { stream: t.stream });
    scanProgress.add("files", 2);
    await until(() => t.text().includes("2 files"));
    display.stop();
    assert.match(stripVTControlCharacters(t.text()), /scan: 2 files, \d+ records/);
    assert.ok(t.text().endsWith("\u001b[2K"), "the line is cleared");
  });

  it("draws nothing when stderr is not a terminal, nor with --quiet", async () => {
    const pipe = fakeTerminal(false);
    const quiet = fakeTerminal(true);
    const a = startProgress("scan", { stream: pipe.stream });
    const b = startProgress("scan", { stream: quiet.stream, quiet: true });
    await new Promise((r) => setTimeout(r, 600));
    a.stop();
    b.stop();
    assert.equal(pipe.text(), "");
    assert.equal(quiet.text(), "");
  });

  it("is logged as a line every interval while a daemon job runs", async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    await withProgressLog("scan", logger, 20, async () => {
      scanProgress.add("files", 5);
      await until(() => lines.length >= 2);
    });
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.msg, "progress");
    assert.equal(entry.job, "scan");
    assert.match(entry.progress, /^scan: 5 files/);
    assert.equal(entry.files, 5);
  });
});
