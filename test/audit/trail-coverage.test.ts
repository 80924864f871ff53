import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trailCoverage } from "../../src/audit/checks/trail-coverage.ts";
import type { CollectionError, TrailRecord } from "../../src/audit/inventory.ts";
import { A, account, B, inventory, MGMT, POLICY, trail } from "./inventory-fixtures.ts";

const run = (inv: ReturnType<typeof inventory>) => trailCoverage.run(inv, POLICY);
/** MGMT's organization trail "org" (home us-east-1) as `seenBy` lists it: its owner or a member. */
const orgTrail = (seenBy: string, over: Partial<TrailRecord> = {}) =>
  trail(seenBy, "org", { ownerAccountId: MGMT, isOrganizationTrail: true, ...over });
const denied = (region: string, message = "User is not authorized"): CollectionError => ({
  service: "cloudtrail",
  operation: "DescribeTrails",
  code: "AccessDeniedException",
  message,
  accountId: A,
  region,
});

describe("trail-coverage", () => {
  it("passes a region covered only by the shadow of a multi-region trail homed elsewhere", () => {
    const main = trail(A, "main");
    const [, eu] = run(inventory(account(A, { "us-east-1": [main], "eu-west-1": [main] })));
    assert.equal(eu.region, "eu-west-1");
    assert.equal(eu.status, "PASS");
    assert.match(eu.message, /main/);
  });

  it("gives one finding per account and region", () => {
    const inv = inventory(
      account(A, { "us-east-1": [trail(A, "main")], "eu-west-1": [trail(A, "main")] }),
      account(B, { "us-east-1": [trail(B, "main")] }),
    );
    assert.deepEqual(
      run(inv).map((f) => `${f.accountId}/${f.region}`),
      [`${A}/us-east-1`, `${A}/eu-west-1`, `${B}/us-east-1`],
    );
  });

  it("fails a region with no trail at all", () => {
    const [f] = run(inventory(account(A, { "eu-west-1": [] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /no trail covers this region/);
  });

  it("fails a region whose only trail has stopped logging", () => {
    const stopped = trail(A, "main", { status: { isLogging: false } });
    const [f] = run(inventory(account(A, { "us-east-1": [stopped] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /is not logging/);
  });

  it("passes a member account covered by the organization trail it sees", () => {
    const [f] = run(inventory(account(A, { "eu-west-1": [orgTrail(A)] })));
    assert.equal(f.status, "PASS");
    assert.match(f.message, /organization trail org/);
  });

  it("reads an organization trail's custom selectors from its audited owner account", () => {
    const asOwner = orgTrail(MGMT, {
      hasCustomEventSelectors: true,
      selectors: { eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] },
    });
    const asMember = { ...asOwner, selectors: undefined };
    const findings = run(
      inventory(account(A, { "eu-west-1": [asMember] }), account(MGMT, { "us-east-1": [asOwner] })),
    );
    const member = findings.find((f) => f.accountId === A)!;
    assert.equal(member.status, "FAIL");
    assert.match(member.message, /write-only/);
  });

  it("takes an organization trail's logging status from its owner when the member did not read it", () => {
    const asOwner = orgTrail(MGMT, { status: { isLogging: false } });
    const asMember = { ...asOwner, status: undefined };
    const member = run(
      inventory(account(A, { "eu-west-1": [asMember] }), account(MGMT, { "us-east-1": [asOwner] })),
    )[0];
    assert.equal(member.status, "FAIL");
    assert.match(member.message, /is not logging/);
  });

  it("reports ERROR when the owner whose view a member relies on could not be read", () => {
    const asMember = orgTrail(A, { status: undefined });
    const owner = account(MGMT, {});
    owner.error = {
      service: "sts",
      operation: "AssumeRole",
      code: "AccessDenied",
      message: "no",
      accountId: MGMT,
    };
    const member = run(inventory(account(A, { "eu-west-1": [asMember] }), owner))[0];
    assert.equal(member.status, "ERROR");
    assert.match(member.message, new RegExp(`owner account ${MGMT}, which could not be read`));
  });

  it("reports ERROR when an organization trail's custom selectors cannot be read by any audited account", () => {
    const org = orgTrail(A, { hasCustomEventSelectors: true });
    const [f] = run(inventory(account(A, { "eu-west-1": [org] })));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, new RegExp(`only its owner account ${MGMT} can read`));
  });

  it("fails a trail whose advanced selector records management events read-only", () => {
    const readOnly = trail(A, "main", {
      hasCustomEventSelectors: true,
      selectors: {
        advancedEventSelectors: [
          {
            name: "mgmt reads",
            fieldSelectors: [
              { field: "eventCategory", equals: ["Management"] },
              { field: "readOnly", equals: ["true"] },
            ],
          },
        ],
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [readOnly] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /read-only management events/);
  });

  it("passes a trail whose advanced selector records all management events", () => {
    const all = trail(A, "main", {
      hasCustomEventSelectors: true,
      selectors: {
        advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }],
      },
    });
    assert.equal(run(inventory(account(A, { "us-east-1": [all] })))[0].status, "PASS");
  });

  it("passes a region where a read-only and a write-only trail together record both", () => {
    const reads = trail(A, "reads", {
      hasCustomEventSelectors: true,
      selectors: { eventSelectors: [{ readWriteType: "ReadOnly" }] },
    });
    const writes = trail(A, "writes", {
      hasCustomEventSelectors: true,
      selectors: { eventSelectors: [{ readWriteType: "WriteOnly" }] },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [reads, writes] })));
    assert.equal(f.status, "PASS");
    assert.match(f.message, /reads.*writes/);
  });

  it("fails a trail whose classic selector leaves management events out", () => {
    const dataOnly = trail(A, "data", {
      hasCustomEventSelectors: true,
      selectors: {
        eventSelectors: [
          { readWriteType: "All", includeManagementEvents: false, dataResourceTypes: ["AWS::S3::Object"] },
        ],
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [dataOnly] })));
    assert.equal(f.status, "FAIL");
    assert.match(f.message, /records no management events/);
  });

  it("names the excluded management event sources in a passing finding", () => {
    const noKms = trail(A, "main", {
      hasCustomEventSelectors: true,
      selectors: {
        eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["kms.amazonaws.com"] }],
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [noKms] })));
    assert.equal(f.status, "PASS");
    assert.match(f.message, /kms\.amazonaws\.com are excluded \(ExcludeManagementEventSources\)/);
  });

  it("does not call a source excluded when another covering trail records it", () => {
    const noKms = trail(A, "no-kms", {
      hasCustomEventSelectors: true,
      selectors: {
        eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["kms.amazonaws.com"] }],
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [noKms, trail(A, "main")] })));
    assert.equal(f.status, "PASS");
    assert.doesNotMatch(f.message, /excluded/);
  });

  it("reports ERROR for a region answering UnrecognizedClientException, naming the opt-in region", () => {
    const error: CollectionError = {
      service: "cloudtrail",
      operation: "DescribeTrails",
      code: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
      accountId: A,
      region: "ap-east-1",
    };
    const acc = account(A, { "ap-east-1": [] });
    acc.regionViews[0].error = error;
    const [f] = run(inventory(acc));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /not enabled for the account \(an opt-in region\)/);
    assert.equal(f.error?.code, "UnrecognizedClientException");
  });

  it("reports ERROR naming a service control policy deny", () => {
    const acc = account(A, { "eu-west-1": [] });
    acc.regionViews[0].error = denied("eu-west-1", "with an explicit deny in a service control policy");
    const [f] = run(inventory(acc));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /denied by a service control policy/);
  });

  it("reports ERROR in every region of an account whose role could not be assumed", () => {
    const acc = account(A, { "us-east-1": [], "eu-west-1": [] });
    acc.error = {
      service: "sts",
      operation: "AssumeRole",
      code: "AccessDenied",
      message: "not authorized",
      accountId: A,
    };
    const findings = run(inventory(acc));
    assert.deepEqual(
      findings.map((f) => [f.region, f.status]),
      [
        ["us-east-1", "ERROR"],
        ["eu-west-1", "ERROR"],
      ],
    );
  });

  it("never passes a region whose only trail's status is unknown", () => {
    const unknown = trail(A, "main", {
      status: undefined,
      statusError: {
        service: "cloudtrail",
        operation: "GetTrailStatus",
        code: "ThrottlingException",
        message: "Rate exceeded",
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [unknown] })));
    assert.equal(f.status, "ERROR");
    assert.match(f.message, /throttled beyond the SDK's retries/);
  });

  it("passes a region covered by a known trail even when another trail's status is unknown", () => {
    const unknown = trail(A, "other", {
      status: undefined,
      statusError: {
        service: "cloudtrail",
        operation: "GetTrailStatus",
        code: "ThrottlingException",
        message: "Rate exceeded",
      },
    });
    const [f] = run(inventory(account(A, { "us-east-1": [trail(A, "main"), unknown] })));
    assert.equal(f.status, "PASS");
  });
});
