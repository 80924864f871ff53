// Lint warnings (docs/rules.md, "Lint warnings"): each has a stable code and a place, and none stops
// a rule from loading.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compileRuleText, formatRuleWarning, loadRules } from "../../src/rules/index.ts";
import { ruleText } from "./support.ts";

/** The warnings of a detection snippet (which must compile), formatted. */
function warningsOf(detection: string, header?: (text: string) => string): string[] {
  const text = header ? header(ruleText(detection)) : ruleText(detection);
  const r = compileRuleText(text, "t.yml");
  assert.deepEqual(r.problems, []);
  assert.ok(r.rule, "a rule with warnings still loads");
  return r.warnings.map(formatRuleWarning);
}

const PINNED = "pin:\n  eventSource: iam.amazonaws.com\n";

describe("UNKNOWN_FIELD", () => {
  it("warns about a field CloudTrail does not have, with the near miss", () => {
    assert.deepEqual(
      warningsOf(
        "selection:\n  EventName: CreateUser\n  eventSource: iam.amazonaws.com\ncondition: selection",
      ),
      [
        't.yml:8:5: warning UNKNOWN_FIELD [test-rule] field "EventName" is not in CloudTrail records; did you mean "eventName"?',
      ],
    );
  });

  it("suggests within nested paths, by edit distance", () => {
    assert.deepEqual(
      warningsOf(
        `${PINNED}selection:\n  userIdentity.sessionContext.sessionIssuer.usrName: admin\ncondition: pin and selection`,
      ),
      [
        't.yml:10:5: warning UNKNOWN_FIELD [test-rule] field "userIdentity.sessionContext.sessionIssuer.usrName" is not in CloudTrail records; did you mean "userIdentity.sessionContext.sessionIssuer.userName"?',
      ],
    );
  });

  it("says nothing of a name with no near miss beyond that it is unknown", () => {
    assert.deepEqual(warningsOf(`${PINNED}selection:\n  src_country: FR\ncondition: pin and selection`), [
      't.yml:10:5: warning UNKNOWN_FIELD [test-rule] field "src_country" is not in CloudTrail records',
    ]);
  });

  it("accepts any name below the free-form fields and the documented nested ones", () => {
    const d = [
      PINNED,
      "selection:",
      "  requestParameters.policyDocument.Statement.Effect: Allow",
      "  responseElements.ConsoleLogin: Success",
      "  additionalEventData.MFAUsed: 'No'",
      "  serviceEventDetails.anything: x",
      "  userIdentity.sessionContext.attributes.mfaAuthenticated: 'false'",
      "  tlsDetails.tlsVersion: TLSv1.2",
      "  resources.ARN|contains: bucket",
      "condition: pin and selection",
    ].join("\n");
    assert.deepEqual(warningsOf(d), []);
  });

  it("warns about a path below a plain value", () => {
    assert.deepEqual(warningsOf(`${PINNED}selection:\n  eventName.name: x\ncondition: pin and selection`), [
      't.yml:10:5: warning UNKNOWN_FIELD [test-rule] field "eventName.name" goes below "eventName", which CloudTrail records as a plain value',
    ]);
  });

  it("checks the field a fieldref names, at the value", () => {
    assert.deepEqual(
      warningsOf(
        `${PINNED}selection:\n  userIdentity.userName|fieldref: requestParameter.userName\ncondition: pin and selection`,
      ),
      [
        't.yml:10:37: warning UNKNOWN_FIELD [test-rule] field "requestParameter.userName" is not in CloudTrail records; did you mean "requestParameters.userName"?',
      ],
    );
  });
});

describe("UNKNOWN_FIELD in a filter", () => {
  it("warns about a filter's misspelt field, and the filter still applies", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-lint-filter-"));
    writeFileSync(join(dir, "r.yml"), ruleText("selection:\n  eventName: CreateUser\ncondition: selection"));
    writeFileSync(
      join(dir, "f.yml"),
      "title: Not CI\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n  rules: any\n  sel:\n    userIdentity.Arn|endswith: ':user/ci'\n  condition: not sel\n",
    );
    const loaded = await loadRules([dir]);
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.filters.length, 1);
    assert.deepEqual(loaded.warnings.map(formatRuleWarning), [
      `${join(dir, "f.yml")}:6:5: warning UNKNOWN_FIELD [Not CI] field "userIdentity.Arn" is not in CloudTrail records; did you mean "userIdentity.arn"?`,
    ]);
  });
});

describe("UNPINNED_RULE", () => {
  it("warns when the condition does not require eventSource or eventName, at the condition", () => {
    assert.deepEqual(
      warningsOf("a:\n  eventName: CreateUser\nb:\n  errorCode: AccessDenied\ncondition: a or b"),
      [
        "t.yml:11:14: warning UNPINNED_RULE [test-rule] the rule pins neither eventSource nor eventName, so it is tried on every record; require one of them (plain values) in a selection the condition always needs",
      ],
    );
  });

  it("does not warn when eventName is required with plain values", () => {
    assert.deepEqual(warningsOf("a:\n  eventName: [CreateUser, DeleteUser]\ncondition: a"), []);
  });
});

describe("DEPRECATED_STATUS", () => {
  it("warns about a deprecated rule at its status", () => {
    assert.deepEqual(
      warningsOf("a:\n  eventName: CreateUser\ncondition: a", (t) =>
        t.replace("id: test-rule\n", "id: test-rule\nstatus: deprecated\n"),
      ),
      [
        "t.yml:3:9: warning DEPRECATED_STATUS [test-rule] the rule's status is deprecated: replace it by its successor or remove it",
      ],
    );
  });

  it("does not warn about an experimental rule", () => {
    assert.deepEqual(
      warningsOf("a:\n  eventName: CreateUser\ncondition: a", (t) =>
        t.replace("id: test-rule\n", "id: test-rule\nstatus: experimental\n"),
      ),
      [],
    );
  });
});
