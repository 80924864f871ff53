import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import { OWN_STANDARD, toOcsf } from "../../src/report/ocsf.ts";
import { auditReport, LONG_ARN, PROD, scanReport } from "./fixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: the assertions read OCSF events field by field
type Ev = Record<string, any>;
const validate = validatorFor("ocsf-findings");
const events = (): Ev[] =>
  toOcsf({ audits: [auditReport()], scans: [scanReport({ includeEvent: true })] }) as Ev[];

describe("OCSF output", () => {
  it("validates against the shipped schema", () => {
    const out = events();
    assert.equal(out.length, 6 + 2);
    assert.ok(validate(out), JSON.stringify(validate.errors, null, 2));
  });

  it("is checked by a schema that rejects an event missing what OCSF requires", () => {
    const out = events();
    delete out[0].compliance;
    assert.equal(validate(out), false);
    const det = events();
    det[7].evidences[0].api = {};
    assert.equal(validate(det), false);
  });

  it("maps an audit finding to a Compliance Finding with its control, status and resource", () => {
    const f = events().find((e) => e.class_uid === 2003 && e.compliance.control === "log-file-validation")!;
    assert.equal(f.type_uid, 200301);
    assert.equal(f.compliance.status_id, 3);
    assert.equal(f.compliance.status_code, "FAIL");
    assert.deepEqual(f.compliance.requirements, ["CIS-AWS-3.0:3.2", "AWS-FSBP:CloudTrail.4"]);
    assert.deepEqual(f.compliance.standards, ["CIS-AWS-3.0", "AWS-FSBP"]);
    assert.equal(f.cloud.account.uid, PROD);
    assert.equal(f.cloud.account.type_id, 10);
    assert.deepEqual(f.resources, [
      { uid: LONG_ARN, type: "AWS::CloudTrail::Trail", region: "eu-central-1" },
    ]);
    assert.match(f.remediation.desc, /enable-log-file-validation/);
    assert.equal(f.severity_id, 3);
  });

  it("names trailwarden's policy as the standard of a check no framework names", () => {
    const f = events().find((e) => e.class_uid === 2003 && e.compliance.control === "trail-sns")!;
    assert.deepEqual(f.compliance.standards, [OWN_STANDARD]);
    assert.equal(f.compliance.status_id, 1);
  });

  it("reports an ERROR finding as compliance status Unknown, never Pass", () => {
    const f = events().find((e) => e.class_uid === 2003 && e.compliance.status_code === "ERROR")!;
    assert.equal(f.compliance.status_id, 0);
  });

  it("maps a detection to a Detection Finding whose evidence is the CloudTrail call as API Activity", () => {
    const d = events().find((e) => e.class_uid === 2004)!;
    assert.equal(d.type_uid, 200401);
    assert.equal(d.severity, "High");
    assert.equal(d.finding_info.analytic.name, "Root user activity");
    assert.equal(d.finding_info.desc, "The root user made a request.");
    const ev = d.evidences[0];
    assert.equal(ev.api.operation, "ConsoleLogin");
    assert.equal(ev.api.service.name, "signin.amazonaws.com");
    assert.equal(ev.api.request.uid, "req-1");
    assert.equal(ev.actor.user.uid, "arn:aws:iam::111111111111:root");
    assert.equal(ev.actor.user.type, "Root");
    assert.deepEqual(ev.src_endpoint, { ip: "198.51.100.77" });
    assert.equal(ev.data.class_uid, 6003);
    assert.equal(ev.data.metadata.uid, "e-1");
    assert.equal(d.cloud.account.uid, "111111111111");
    assert.equal(d.cloud.region, "us-east-1");
    assert.deepEqual(d.unmapped.falsepositives, ["Account closure by the owner"]);
  });

  it("gives the detections of one record the same correlation uid", () => {
    const d = events().filter((e) => e.class_uid === 2004);
    assert.equal(d[0].metadata.correlation_uid, scanReport().detections![0].groupKey);
    assert.notEqual(d[0].metadata.correlation_uid, d[1].metadata.correlation_uid);
  });
});
