// The bundled demo snapshot stays a valid inventory that shows every outcome.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runAudit } from "../../src/audit/run.ts";
import { defaultConfig } from "../../src/config/load.ts";
import { validatorFor } from "../../src/config/schema.ts";
import { buildAuditReport } from "../../src/report/audit-report.ts";

const DEMO = new URL("../../demo/inventory.json", import.meta.url).pathname;

describe("the demo inventory", () => {
  it("is judged into a schema-valid report with passing, failing and ERROR findings", async () => {
    const report = buildAuditReport(await runAudit({ config: defaultConfig(), inventoryFile: DEMO }));
    const validate = validatorFor("report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    const { PASS, FAIL, ERROR } = report.summary.byStatus;
    assert.ok(PASS > 0 && FAIL > 0 && ERROR > 0, JSON.stringify(report.summary.byStatus));
  });

  it("shows an organization trail and a legacy trail both recording global events in the member account", async () => {
    const { findings } = await runAudit({ config: defaultConfig(), inventoryFile: DEMO });
    const f = findings.find((x) => x.check === "global-events-single" && x.accountId === "210987654321")!;
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /legacy-trail.*org-trail/);
  });
});

describe("reading a saved inventory", () => {
  it("rejects a trail without an ARN, naming where it is", async () => {
    const inv = JSON.parse(readFileSync(DEMO, "utf8"));
    delete inv.accounts[1].trails[0].arn;
    const file = join(mkdtempSync(join(tmpdir(), "tw-bad-inv-")), "inventory.json");
    writeFileSync(file, JSON.stringify(inv));
    await assert.rejects(
      runAudit({ config: defaultConfig(), inventoryFile: file }),
      /\/accounts\/1\/trails\/0 must have required property 'arn'/,
    );
  });
});
