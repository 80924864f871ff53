// Compliance as data: which findings carry which control ids, and the per-framework control status.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checks } from "../../src/audit/checks/index.ts";
import { trailCoverage } from "../../src/audit/checks/trail-coverage.ts";
import { trailEncryption } from "../../src/audit/checks/trail-encryption.ts";
import { FRAMEWORKS } from "../../src/audit/compliance/catalog.ts";
import { evaluateCompliance } from "../../src/audit/compliance/evaluate.ts";
import type { Finding } from "../../src/audit/finding.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";

const sseS3 = () => {
  const acc = account(A, { "us-east-1": [trail(A, "main")] });
  return trailEncryption.run(inventory(acc), POLICY)[0];
};

describe("compliance", () => {
  it("does not let a trail on SSE-S3 claim CIS 4.5 or FSBP CloudTrail.2", () => {
    const f = sseS3();
    assert.equal(f.status, "PASS");
    assert.equal(f.compliance, undefined);
  });

  it("lets a trail with its own KMS key claim the KMS controls", () => {
    const acc = account(A, {
      "us-east-1": [trail(A, "main", { kmsKeyId: `arn:aws:kms:us-east-1:${A}:key/k` })],
    });
    const [f] = trailEncryption.run(inventory(acc), POLICY);
    assert.deepEqual(f.compliance, ["CIS-AWS-7.0:4.5", "CIS-AWS-5.0:4.5", "AWS-FSBP:CloudTrail.2"]);
  });

  it("claims CIS 4.1 for a region covered only by single-region trails, never", () => {
    const t = trail(A, "local", { isMultiRegion: false });
    const [f] = trailCoverage.run(inventory(account(A, { "us-east-1": [t] })), POLICY);
    assert.equal(f.status, "PASS");
    assert.equal(f.compliance, undefined);
    assert.match(f.message, /no single multi-region trail/);
  });

  it("claims CIS 4.1 and FSBP CloudTrail.1 for a region covered by a multi-region trail", () => {
    const [f] = trailCoverage.run(inventory(account(A, { "us-east-1": [trail(A, "main")] })), POLICY);
    assert.deepEqual(f.compliance, ["CIS-AWS-7.0:4.1", "CIS-AWS-5.0:4.1", "AWS-FSBP:CloudTrail.1"]);
  });

  it("names only checks that exist in every control of every catalog", () => {
    const ids = new Set(checks.map((c) => c.id));
    for (const f of FRAMEWORKS)
      for (const c of f.controls)
        for (const id of c.checks) assert.ok(ids.has(id), `${f.id}:${c.id} → ${id}`);
  });

  it("reports a control FAIL when one carrying finding fails, and NOT_EVALUATED when none carries it", () => {
    const f = (status: Finding["status"], compliance: string[]): Finding => ({
      check: "x",
      status,
      severity: "high",
      accountId: A,
      message: "",
      remediation: "",
      compliance,
    });
    const result = evaluateCompliance([
      f("PASS", ["AWS-FSBP:CloudTrail.4"]),
      f("FAIL", ["AWS-FSBP:CloudTrail.4"]),
      f("FAIL", ["AWS-FSBP:CloudTrail.3"]),
      f("PASS", ["AWS-FSBP:CloudTrail.3"]),
    ]);
    const fsbp = result.find((r) => r.framework === "AWS-FSBP")!;
    const status = (id: string) => fsbp.controls.find((c) => c.id === id)!.status;
    assert.equal(status("CloudTrail.4"), "FAIL");
    assert.equal(status("CloudTrail.3"), "PASS", "one enabled trail satisfies an 'at least one' control");
    assert.equal(status("CloudTrail.5"), "NOT_EVALUATED");
  });
});

describe("the report's compliance section", () => {
  it("lists every framework with each control's status, valid against the report schema", async () => {
    const { buildAuditReport } = await import("../../src/report/audit-report.ts");
    const { validatorFor } = await import("../../src/config/schema.ts");
    const inv = inventory(account(A, { "us-east-1": [trail(A, "main")] }));
    const { judge } = await import("../../src/audit/checks/index.ts");
    const report = buildAuditReport({
      findings: judge(inv, POLICY),
      scope: { accounts: [A], regions: ["us-east-1"] },
      inventory: inv,
    });
    assert.deepEqual(
      report.compliance.map((f) => f.framework),
      ["CIS-AWS-7.0", "CIS-AWS-5.0", "AWS-FSBP"],
    );
    const cis = report.compliance[0].controls;
    assert.equal(cis.find((c) => c.id === "4.1")?.status, "PASS");
    assert.equal(cis.find((c) => c.id === "4.5")?.status, "NOT_EVALUATED", "SSE-S3 only: nothing proves KMS");
    const validate = validatorFor("report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });
});
