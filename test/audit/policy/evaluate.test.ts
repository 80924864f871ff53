// Policy evaluation on literal policies: actions, resources, conditions, Deny, boundaries, SCPs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePolicy } from "../../../src/audit/policy/document.ts";
import {
  evaluateIdentity,
  type IdentityPrincipal,
  type ScpChain,
} from "../../../src/audit/policy/evaluate.ts";

const ACCT = "111111111111";
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/main`;
const OTHER_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/other`;

const doc = (name: string, ...Statement: object[]) => parsePolicy(name, { Version: "2012-10-17", Statement });
const allow = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});

function role(name: string, ...policies: ReturnType<typeof doc>[]): IdentityPrincipal {
  return {
    arn: `arn:aws:iam::${ACCT}:role/${name}`,
    accountId: ACCT,
    kind: "role",
    tags: {},
    policies,
    unreadable: [],
  };
}

const can = (p: IdentityPrincipal, action: string, resource = TRAIL, scps?: ScpChain) =>
  evaluateIdentity(p, action, resource, scps).allowed;

test("cloudtrail:* allows StopLogging", () => {
  assert.equal(can(role("r", doc("p", allow("cloudtrail:*"))), "cloudtrail:StopLogging"), true);
});

test("the full wildcard * allows DeleteTrail", () => {
  assert.equal(can(role("r", doc("p", allow("*"))), "cloudtrail:DeleteTrail"), true);
});

test("cloudtrail:Stop* allows StopLogging but not DeleteTrail", () => {
  const r = role("r", doc("p", allow("cloudtrail:Stop*")));
  assert.equal(can(r, "cloudtrail:StopLogging"), true);
  assert.equal(can(r, "cloudtrail:DeleteTrail"), false);
});

test("actions match case-insensitively", () => {
  assert.equal(can(role("r", doc("p", allow("CloudTrail:stoplogging"))), "cloudtrail:StopLogging"), true);
});

test("a ? wildcard stands for exactly one character", () => {
  const r = role("r", doc("p", allow("cloudtrail:?pdateTrail")));
  assert.equal(can(r, "cloudtrail:UpdateTrail"), true);
  assert.equal(can(r, "cloudtrail:PutEventSelectors"), false);
});

test("read-only actions do not allow StopLogging", () => {
  assert.equal(
    can(role("r", doc("p", allow(["cloudtrail:Describe*", "cloudtrail:Get*"]))), "cloudtrail:StopLogging"),
    false,
  );
});

test("NotAction allows everything it does not name", () => {
  const r = role("r", doc("p", { Effect: "Allow", NotAction: "iam:*", Resource: "*" }));
  assert.equal(can(r, "cloudtrail:StopLogging"), true);
  assert.equal(can(r, "iam:CreateUser"), false);
});

test("a resource scoped to another trail's ARN does not reach this trail", () => {
  const r = role("r", doc("p", allow("cloudtrail:*", OTHER_TRAIL)));
  assert.equal(can(r, "cloudtrail:StopLogging"), false);
  assert.equal(can(r, "cloudtrail:StopLogging", OTHER_TRAIL), true);
});

test("a resource wildcard over trails reaches this trail", () => {
  assert.equal(
    can(
      role("r", doc("p", allow("cloudtrail:*", `arn:aws:cloudtrail:*:${ACCT}:trail/*`))),
      "cloudtrail:StopLogging",
    ),
    true,
  );
});

test("NotResource excludes the named trail", () => {
  const r = role("r", doc("p", { Effect: "Allow", Action: "cloudtrail:*", NotResource: TRAIL }));
  assert.equal(can(r, "cloudtrail:StopLogging"), false);
  assert.equal(can(r, "cloudtrail:StopLogging", OTHER_TRAIL), true);
});

test("an explicit Deny in another policy overrides an Allow", () => {
  const r = role("r", doc("admin", allow("*")), doc("guard", deny("cloudtrail:StopLogging")));
  const d = evaluateIdentity(r, "cloudtrail:StopLogging", TRAIL);
  assert.equal(d.allowed, false);
  assert.equal(d.deniedBy, "guard");
});

test("a Deny with NotAction denies everything else", () => {
  const r = role("r", doc("p", allow("*"), { Effect: "Deny", NotAction: "s3:*", Resource: "*" }));
  assert.equal(can(r, "cloudtrail:DeleteTrail"), false);
});

test("a permissions boundary without cloudtrail leaves an admin unable to stop logging", () => {
  const r = { ...role("r", doc("admin", allow("*"))), boundary: doc("boundary", allow("s3:*")) };
  const d = evaluateIdentity(r, "cloudtrail:StopLogging", TRAIL);
  assert.equal(d.allowed, false);
  assert.match(d.deniedBy ?? "", /permissions boundary/);
});

test("an SCP Deny on StopLogging wins over an identity Allow", () => {
  const scps: ScpChain = {
    levels: [
      {
        target: "r-root",
        policies: [doc("FullAWSAccess", allow("*")), doc("protect", deny("cloudtrail:StopLogging"))],
      },
    ],
  };
  assert.equal(can(role("r", doc("admin", allow("*"))), "cloudtrail:StopLogging", TRAIL, scps), false);
});

test("an SCP Deny except for a break-glass role (ArnNotLike aws:PrincipalArn) lets only that role through", () => {
  const protect = doc(
    "protect-trails",
    deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "*", {
      Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
    }),
  );
  const scps: ScpChain = {
    levels: [{ target: "r-root", policies: [doc("FullAWSAccess", allow("*")), protect] }],
  };
  assert.equal(can(role("Ops", doc("admin", allow("*"))), "cloudtrail:StopLogging", TRAIL, scps), false);
  assert.equal(
    can(role("BreakGlass", doc("admin", allow("*"))), "cloudtrail:StopLogging", TRAIL, scps),
    true,
  );
});

test("every SCP level must allow: an OU without an Allow for cloudtrail blocks it", () => {
  const scps: ScpChain = {
    levels: [
      { target: "r-root", policies: [doc("FullAWSAccess", allow("*"))] },
      { target: "ou-1", policies: [doc("s3-only", allow("s3:*"))] },
    ],
  };
  const d = evaluateIdentity(role("r", doc("admin", allow("*"))), "cloudtrail:StopLogging", TRAIL, scps);
  assert.equal(d.allowed, false);
  assert.match(d.deniedBy ?? "", /ou-1/);
});

test("a principal tag condition is resolved from the principal's tags", () => {
  const p = doc(
    "p",
    allow("cloudtrail:*", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "security" } } }),
  );
  assert.equal(can({ ...role("r", p), tags: { team: "security" } }, "cloudtrail:StopLogging"), true);
  assert.equal(can({ ...role("r", p), tags: { team: "dev" } }, "cloudtrail:StopLogging"), false);
});

test("StringEqualsIfExists passes when the tag is absent; StringEquals does not", () => {
  const ifExists = doc(
    "p",
    allow("cloudtrail:*", "*", { Condition: { StringEqualsIfExists: { "aws:PrincipalTag/team": "x" } } }),
  );
  const plain = doc(
    "p",
    allow("cloudtrail:*", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "x" } } }),
  );
  assert.equal(can(role("r", ifExists), "cloudtrail:StopLogging"), true);
  assert.equal(can(role("r", plain), "cloudtrail:StopLogging"), false);
});

test("aws:PrincipalType distinguishes users from role sessions", () => {
  const p = doc(
    "p",
    allow("cloudtrail:*", "*", { Condition: { StringEquals: { "aws:PrincipalType": "User" } } }),
  );
  assert.equal(can(role("r", p), "cloudtrail:StopLogging"), false);
  assert.equal(can({ ...role("r", p), kind: "user" }, "cloudtrail:StopLogging"), true);
});

test("an Allow whose condition cannot be resolved counts, and says so", () => {
  const p = doc(
    "p",
    allow("cloudtrail:*", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }),
  );
  const d = evaluateIdentity(role("r", p), "cloudtrail:StopLogging", TRAIL);
  assert.equal(d.allowed, true);
  assert.match(d.unresolved.join(";"), /aws:MultiFactorAuthPresent/);
});

test("a Deny whose condition cannot be resolved does not count, and says so", () => {
  const r = role(
    "r",
    doc("admin", allow("*")),
    doc("guard", deny("cloudtrail:*", "*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })),
  );
  const d = evaluateIdentity(r, "cloudtrail:StopLogging", TRAIL);
  assert.equal(d.allowed, true);
  assert.match(d.unresolved.join(";"), /Deny in guard not counted/);
});

test("a policy variable in a condition value is not guessed", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
  const variable = "${aws:username}";
  const p = doc(
    "p",
    allow("cloudtrail:*", "*", {
      Condition: { StringEquals: { "aws:PrincipalTag/owner": variable } },
    }),
  );
  const d = evaluateIdentity(role("r", p), "cloudtrail:StopLogging", TRAIL);
  assert.equal(d.allowed, true);
  assert.equal(d.unresolved.length, 1);
});

test("with no Allow and an unreadable attached policy the answer is unknown", () => {
  const d = evaluateIdentity(
    { ...role("r"), unreadable: ["arn:aws:iam::aws:policy/Gone"] },
    "cloudtrail:StopLogging",
    TRAIL,
  );
  assert.equal(d.allowed, false);
  assert.match(d.unknown ?? "", /Gone/);
});

test("a URL-encoded policy document, as IAM returns it, parses", () => {
  const text = encodeURIComponent(
    JSON.stringify({ Version: "2012-10-17", Statement: allow("cloudtrail:StopLogging") }),
  );
  assert.equal(can(role("r", parsePolicy("p", text)), "cloudtrail:StopLogging"), true);
});

test("a statement without Effect Allow or Deny is refused with where it is", () => {
  assert.throws(
    () => parsePolicy("bad", { Statement: [{ Effect: "Maybe", Action: "*" }] }),
    /bad statement 1/,
  );
});
