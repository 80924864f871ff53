import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import pc from "picocolors";
import { breakLong, renderAuditTable, renderScanTable, TABLE_WIDTH } from "../../src/report/table.ts";
import { auditReport, LONG_ARN, scanReport } from "./fixtures.ts";

const plain = pc.createColors(false);
const colour = pc.createColors(true);
const widest = (text: string) =>
  Math.max(
    ...stripVTControlCharacters(text)
      .split("\n")
      .map((l) => [...l].length),
  );
/** Column `col` of the tables with `ncols` columns, its wrapped lines joined without spaces. */
const column = (text: string, col: number, ncols: number) =>
  text
    .split("\n")
    .map((l) => l.split("│"))
    .filter((cells) => cells.length === ncols + 2)
    .map((cells) => cells[col + 1].trim())
    .join("")
    .replace(/\s+/g, "");

describe("terminal tables", () => {
  it("fit 100 columns, for the audit and the scan", () => {
    assert.ok(widest(renderAuditTable(auditReport(), colour)) <= TABLE_WIDTH);
    assert.ok(widest(renderScanTable(scanReport(), colour)) <= TABLE_WIDTH);
  });

  it("show the audit's counts by check and status", () => {
    const text = renderAuditTable(auditReport(), plain);
    assert.match(text, /6 findings: 3 PASS, 2 FAIL, 1 ERROR/);
    assert.match(text, /│ trail-coverage\s+│\s+2 │\s+1 │\s+1 │/);
  });

  it("list every FAIL and ERROR with account, region, resource, message and remediation, and no PASS", () => {
    const text = renderAuditTable(auditReport(), plain);
    assert.match(text, /3 findings to act on/);
    const [where, what, fix] = [0, 1, 2].map((i) => column(text, i, 3));
    assert.ok(where.includes("FAILmediumlog-file-validationproduction210987654321eu-central-1"));
    assert.ok(where.includes("ERRORhightrail-coveragesandbox345678901234us-east-1"));
    assert.ok(what.includes(LONG_ARN));
    assert.ok(what.includes("couldnotlistthetrails"));
    assert.ok(fix.includes("--enable-log-file-validation"));
    assert.doesNotMatch(text, /delivers notifications/);
  });

  it("wrap a long ARN instead of cutting it", () => {
    assert.equal(
      breakLong(`x ${"a".repeat(25)}`, 10),
      `x ${"a".repeat(10)}\n${"a".repeat(10)}\n${"a".repeat(5)}`,
    );
    assert.doesNotMatch(renderAuditTable(auditReport(), plain), /…/);
  });

  it("use colour only when given colour", () => {
    assert.equal(
      renderAuditTable(auditReport(), plain),
      stripVTControlCharacters(renderAuditTable(auditReport(), plain)),
    );
    assert.notEqual(renderAuditTable(auditReport(), colour), renderAuditTable(auditReport(), plain));
  });

  it("show the scan's files, records, levels, top rules by title, bad files, elapsed time and rate", () => {
    const text = renderScanTable(scanReport(), plain);
    assert.match(text, /Scan: 2 files read, 4000 records, 2 detections/);
    assert.match(text, /4\.0s elapsed, 1,000 records\/s/);
    assert.match(text, /│ high\s+│\s+2 │/);
    assert.match(text, /Root user activity/);
    assert.match(text, /1 bad file/);
    assert.ok(column(text, 0, 2).includes(scanReport().summary.badFiles[0].file));
  });
});
