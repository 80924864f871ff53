import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Finding } from "../../src/audit/finding.ts";
import {
  cellKey,
  changesSince,
  countsByControl,
  coverageMatrix,
  detectionTimeline,
} from "../../src/report/report-model.ts";
import { auditFindings, ORG_TRAIL, PROD, SANDBOX, scanReport } from "./fixtures.ts";

describe("the HTML report's model", () => {
  it("has one coverage cell per trail-coverage finding, with the trails that cover it", () => {
    const m = coverageMatrix(auditFindings());
    assert.deepEqual(
      m.accounts.map((a) => a.id),
      [PROD, SANDBOX],
    );
    assert.deepEqual(m.regions, ["eu-west-1", "us-east-1"]);
    assert.equal(m.cells.size, 4);
    assert.equal(m.cells.get(cellKey(SANDBOX, "eu-west-1"))?.status, "FAIL");
    assert.deepEqual(m.cells.get(cellKey(PROD, "us-east-1"))?.trails, [ORG_TRAIL]);
  });

  it("counts findings by compliance control", () => {
    const byControl = new Map(countsByControl(auditFindings()));
    assert.deepEqual(byControl.get("CIS-AWS-3.0:3.1"), { PASS: 2, FAIL: 1, ERROR: 1, WAIVED: 0 });
    assert.deepEqual(byControl.get("CIS-AWS-3.0:3.2"), { PASS: 0, FAIL: 1, ERROR: 0, WAIVED: 0 });
  });

  it("tells new FAIL, fixed and new ERROR findings since a baseline", () => {
    const now = auditFindings();
    const set = (f: Finding, status: Finding["status"]) => ({ ...f, status });
    // Before: sandbox eu-west-1 passed, the validation finding failed, sandbox us-east-1 failed.
    const before = [set(now[2], "PASS"), now[4], set(now[3], "FAIL"), now[0]];
    const after = [now[2], set(now[4], "PASS"), now[3], now[0]];
    const c = changesSince(before, after);
    assert.deepEqual(
      c.newFail.map((f) => [f.accountId, f.region]),
      [[SANDBOX, "eu-west-1"]],
    );
    assert.deepEqual(
      c.fixed.map((f) => f.check),
      ["log-file-validation"],
    );
    assert.deepEqual(
      c.newError.map((f) => [f.accountId, f.region]),
      [[SANDBOX, "us-east-1"]],
    );
  });

  it("counts detections by rule and day, with the rule's title and level", () => {
    const t = detectionTimeline([scanReport()]);
    assert.deepEqual(t.days, ["2026-11-19", "2026-11-20"]);
    assert.equal(t.rules.length, 1);
    assert.deepEqual(
      [t.rules[0].title, t.rules[0].level, t.rules[0].total, t.rules[0].perDay],
      ["Root user activity", "high", 2, [1, 1]],
    );
    assert.deepEqual(t.byLevel, [["high", 2]]);
  });
});
