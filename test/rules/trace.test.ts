// The evaluation trace a failing rule test prints: selections, failed items, values seen, condition.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { findFiles, isRuleTestFile, loadRules } from "../../src/rules/index.ts";
import { formatTrace, traceDetection, traceRule } from "../../src/rules/trace.ts";

const detection = (yaml: string) => parse(yaml) as Record<string, unknown>;

describe("rule evaluation trace", () => {
  it("names the failed item of a selection and the value the record holds", () => {
    const t = traceDetection(
      detection("sel:\n  eventSource: s3.amazonaws.com\n  eventName|startswith: Delete\ncondition: sel"),
      { eventSource: "s3.amazonaws.com", eventName: "PutObject" },
    );
    assert.equal(t.result, false);
    const [sel] = t.selections;
    assert.equal(sel.matched, false);
    assert.deepEqual(
      sel.alternatives[0].map((i) => [i.key, i.matched, i.seen]),
      [
        ["eventSource", true, '"s3.amazonaws.com"'],
        ["eventName|startswith", false, '"PutObject"'],
      ],
    );
  });

  it("says a field is absent rather than showing a value", () => {
    const t = traceDetection(detection("sel: { errorCode: AccessDenied }\ncondition: sel"), {
      eventName: "GetObject",
    });
    assert.equal(t.selections[0].alternatives[0][0].seen, undefined);
    assert.deepEqual(formatTrace({ rule: t, filters: [], result: false, engine: false }), [
      'selection "sel": errorCode "AccessDenied" failed: field absent',
      "condition: sel → false",
    ]);
  });

  it("shows every value found through an array", () => {
    const t = traceDetection(detection("sel: { resources.type: AWS::S3::Bucket }\ncondition: sel"), {
      resources: [{ type: "AWS::S3::Object" }, { type: "AWS::KMS::Key" }],
    });
    assert.equal(t.selections[0].alternatives[0][0].seen, '["AWS::S3::Object", "AWS::KMS::Key"]');
  });

  it("traces each map of a list of maps, which matches when one map does", () => {
    const t = traceDetection(
      detection("sel:\n  - eventName: StopLogging\n  - eventName: DeleteTrail\ncondition: sel"),
      { eventName: "DeleteTrail" },
    );
    assert.equal(t.result, true);
    assert.deepEqual(
      t.selections[0].alternatives.map((items) => items[0].matched),
      [false, true],
    );
    const lines = formatTrace({ rule: t, filters: [], result: true, engine: true });
    assert.deepEqual(lines.slice(0, 2), [
      'selection "sel" [0]: eventName "StopLogging" failed: value "DeleteTrail"',
      'selection "sel" [1]: matched (eventName "DeleteTrail")',
    ]);
  });

  it("traces keyword lists as one item searched in every value", () => {
    const t = traceDetection(detection("kw: [evil, worse]\ncondition: kw"), {
      requestParameters: { a: "good" },
    });
    assert.deepEqual(
      formatTrace({ rule: t, filters: [], result: false, engine: false })[0],
      'selection "kw": keywords ["evil", "worse"] failed: in no value of the record',
    );
  });

  it("evaluates N of, all of and not as the engine does", () => {
    const d = detection(
      "a: { eventName: X }\nb: { awsRegion: us-east-1 }\nc: { errorCode: Denied }\ncondition: 2 of them and not all of them",
    );
    assert.equal(traceDetection(d, { eventName: "X", awsRegion: "us-east-1" }).result, true);
    assert.equal(traceDetection(d, { eventName: "X" }).result, false);
    assert.equal(
      traceDetection(d, { eventName: "X", awsRegion: "us-east-1", errorCode: "Denied" }).result,
      false,
    );
  });

  it("gives each condition of a condition list its own result", () => {
    const t = traceDetection(detection("a: { eventName: X }\nb: { eventName: Y }\ncondition: [a, b]"), {
      eventName: "Y",
    });
    assert.deepEqual(t.conditions, [
      { source: "a", result: false },
      { source: "b", result: true },
    ]);
    assert.equal(t.result, true);
  });

  it("expands placeholders with the values the rules were loaded with", () => {
    const d = detection("sel: { userIdentity.userName|expand: '%admins%' }\ncondition: sel");
    const t = traceDetection(
      d,
      { userIdentity: { userName: "bob" } },
      { placeholders: { admins: ["alice", "bob"] } },
    );
    assert.equal(t.result, true);
  });

  it("traces a loaded rule from its file, with the filters applied to it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-trace-"));
    writeFileSync(
      join(dir, "pack.yml"),
      [
        "title: first",
        "id: first",
        "logsource: { product: aws, service: cloudtrail }",
        "detection: { sel: { eventName: CreateUser }, condition: sel }",
        "---",
        "title: Stop",
        "id: stop",
        "name: stop_logging",
        "logsource: { product: aws, service: cloudtrail }",
        "detection:",
        "  sel: { eventName: StopLogging }",
        "  condition: sel",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "f.yml"),
      [
        "title: not ci",
        "id: not-ci",
        "logsource: { product: aws, service: cloudtrail }",
        "filter:",
        "  rules: [stop_logging]",
        "  ci: { userIdentity.userName: ci }",
        "  condition: not ci",
        "",
      ].join("\n"),
    );
    const loaded = await loadRules([dir]);
    const rule = loaded.ruleSet.rules.find((r) => r.id === "stop")!;
    const t = await traceRule(
      rule,
      { eventName: "StopLogging", userIdentity: { userName: "ci" } },
      loaded.filters,
    );
    assert.ok(t);
    assert.deepEqual(formatTrace(t), [
      'selection "sel": matched (eventName "StopLogging")',
      "condition: sel → true",
      "filter [not-ci]:",
      '  selection "ci": matched (userIdentity.userName "ci")',
      "  condition: not ci → false",
      "rule condition and filters → false",
    ]);
    assert.equal(t.engine, false);
  });

  it("agrees with the engine on every case of the bundled rules' tests", async () => {
    const rules = fileURLToPath(new URL("../../rules", import.meta.url));
    const loaded = await loadRules([rules]);
    const { files } = await findFiles([rules], isRuleTestFile);
    let checked = 0;
    for (const file of files) {
      const cases =
        (
          parse(readFileSync(file, "utf8")) as {
            tests?: { record: Record<string, unknown>; rule?: string }[];
          }
        ).tests ?? [];
      const ruleFile = file.replace(/\.tests\.ya?ml$/, ".yml");
      const fileRules = loaded.ruleSet.rules.filter((r) => r.file === ruleFile);
      for (const c of cases) {
        const rule = c.rule ? fileRules.find((r) => r.id === c.rule) : fileRules[0];
        if (!rule) continue;
        const t = await traceRule(rule, c.record, loaded.filters);
        assert.ok(t, `${rule.id}: no trace`);
        assert.equal(t.result, t.engine, `${file}: ${rule.id}`);
        checked++;
      }
    }
    assert.ok(checked > 50, `only ${checked} cases`);
  });
});
