import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailTamperAccess } from "../../src/audit/checks/trail-tamper-access.ts";
import type { AccountInventory } from "../../src/audit/inventory.ts";
import { A, account, inventory, POLICY, trail } from "./inventory-fixtures.ts";
import { allowAll, doc, iam, role } from "./tamper-fixtures.ts";

function judge(over: Partial<AccountInventory>, policy = POLICY) {
  const acc = account(A, { "us-east-1": [trail(A, "main")] }, over);
  return trailTamperAccess.run(inventory(acc), policy);
}

describe("trail-tamper-access", () => {
  it("passes when only the trail administrators can change the trail", () => {
    const [f] = judge(
      { iam: iam({ roles: [role(A, "BreakGlass", { admin: allowAll })] }) },
      { ...POLICY, trailAdmins: ["arn:aws:iam::*:role/BreakGlass"] },
    );
    assert.equal(f.status, "PASS");
    assert.equal(f.resource, "arn:aws:cloudtrail:us-east-1:111111111111:trail/main");
  });

  it("fails naming a role with cloudtrail:* and the actions it has", () => {
    const [f] = judge({
      iam: iam({
        roles: [role(A, "Ops", { ct: doc({ Effect: "Allow", Action: "cloudtrail:*", Resource: "*" }) })],
      }),
    });
    assert.equal(f.status, "FAIL");
    assert.match(
      f.message,
      /role\/Ops \(StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, PutInsightSelectors\)/,
    );
  });

  it("counts a user's group policies", () => {
    const users = [
      {
        arn: `arn:aws:iam::${A}:user/bob`,
        name: "bob",
        inlinePolicies: [],
        attachedPolicyArns: [],
        groups: ["ops"],
      },
    ];
    const groups = [
      {
        arn: `arn:aws:iam::${A}:group/ops`,
        name: "ops",
        inlinePolicies: [
          {
            name: "stop",
            document: doc({ Effect: "Allow", Action: "cloudtrail:StopLogging", Resource: "*" }),
          },
        ],
        attachedPolicyArns: [],
      },
    ];
    const [f] = judge({ iam: iam({ users, groups }) });
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /user\/bob \(StopLogging\)/);
  });

  it("passes when an SCP denies StopLogging and the rest to everyone but the break-glass role", () => {
    const protect = doc({
      Effect: "Deny",
      Action: [
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "cloudtrail:PutInsightSelectors",
      ],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
    });
    const [f] = judge(
      {
        iam: iam({
          roles: [role(A, "Ops", { admin: allowAll }), role(A, "BreakGlass", { admin: allowAll })],
        }),
        scps: {
          managementAccountId: "999999999999",
          levels: [
            {
              target: "r-root",
              policies: [
                { name: "FullAWSAccess", document: allowAll },
                { name: "protect", document: protect },
              ],
            },
          ],
        },
      },
      { ...POLICY, trailAdmins: ["arn:aws:iam::*:role/BreakGlass"] },
    );
    assert.equal(f.status, "PASS", f.message);
  });

  it("is ERROR when GetAccountAuthorizationDetails was denied", () => {
    const [f] = judge({
      iamError: {
        service: "iam",
        operation: "GetAccountAuthorizationDetails",
        code: "AccessDenied",
        message: "no",
        accountId: A,
      },
    });
    assert.equal(f.status, "ERROR");
    assert.equal(f.error?.operation, "GetAccountAuthorizationDetails");
  });

  it("is ERROR, not FAIL, when someone could change it unless an unreadable SCP stops them", () => {
    const [f] = judge({
      iam: iam({ roles: [role(A, "Ops", { admin: allowAll })] }),
      scpsError: {
        service: "organizations",
        operation: "ListPoliciesForTarget",
        code: "AccessDeniedException",
        message: "no",
      },
    });
    assert.equal(f.status, "ERROR");
  });

  it("is ERROR when a principal's attached policy was not returned and nothing else allows it", () => {
    const [f] = judge({
      iam: iam({ roles: [role(A, "Ops", {}, { attachedPolicyArns: ["arn:aws:iam::aws:policy/Gone"] })] }),
    });
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /Gone/);
  });

  it("uses only the default version of a managed policy", () => {
    const [f] = judge({
      iam: iam({
        roles: [role(A, "Reader", {}, { attachedPolicyArns: [`arn:aws:iam::${A}:policy/read`] })],
        managedPolicies: [
          {
            arn: `arn:aws:iam::${A}:policy/read`,
            name: "read",
            document: doc({ Effect: "Allow", Action: "cloudtrail:Describe*", Resource: "*" }),
          },
        ],
      }),
    });
    assert.equal(f.status, "PASS");
  });
});
