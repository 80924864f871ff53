// The endpoint's CloudTrail, Organizations and Account services behave as AWS does for the calls
// the audit makes, through the real SDK clients.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListRegionsCommand } from "@aws-sdk/client-account";
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { AuditWorld } from "../support/audit-world.ts";
import { startEndpoint } from "../support/endpoint.ts";
import type { AwsTestEndpoint } from "./server.ts";

const MGMT = "999999999999";
const MEMBER = "111111111111";

describe("the endpoint's audit services", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  let orgArn: string;
  before(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep)
      .account(MGMT)
      .account(MEMBER, { regions: ["us-east-1", "eu-west-1", "af-south-1"] });
    w.organization(MGMT, [MEMBER]);
    orgArn = w.trail(MGMT, {
      name: "org",
      multiRegion: true,
      organization: true,
      deliveryError: "AccessDenied",
      eventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
    });
    w.trail(MEMBER, { name: "local", region: "eu-west-1" });
  });
  after(() => ep.stop());

  it("lists home, shadow and organization trails in a member's region", async () => {
    const ct = w.baseClients(MEMBER).cloudTrail("eu-west-1");
    const out = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    assert.deepEqual(out.trailList?.map((t) => t.Name).sort(), ["local", "org"]);
    const org = out.trailList?.find((t) => t.Name === "org");
    assert.equal(org?.IsOrganizationTrail, true);
    assert.equal(org?.HomeRegion, "us-east-1");
  });

  it("leaves shadow and organization trails out when includeShadowTrails is false", async () => {
    const ct = w.baseClients(MEMBER).cloudTrail("us-east-1");
    const out = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    assert.deepEqual(out.trailList, []);
  });

  it("answers GetTrailStatus on an organization trail to a member, without its delivery error", async () => {
    const ct = w.baseClients(MEMBER).cloudTrail("us-east-1");
    const out = await ct.send(new GetTrailStatusCommand({ Name: orgArn }));
    assert.equal(out.IsLogging, true);
    assert.equal(out.LatestDeliveryError, undefined);
  });

  it("refuses GetEventSelectors on another account's trail", async () => {
    const ct = w.baseClients(MEMBER).cloudTrail("us-east-1");
    await assert.rejects(ct.send(new GetEventSelectorsCommand({ TrailName: orgArn })), {
      name: "CloudTrailARNInvalidException",
    });
  });

  it("pages ListAccounts for the management account only", async () => {
    const org = w.baseClients(MGMT).organizations();
    const first = await org.send(new ListAccountsCommand({ MaxResults: 1 }));
    assert.equal(first.Accounts?.length, 1);
    const second = await org.send(new ListAccountsCommand({ MaxResults: 1, NextToken: first.NextToken }));
    assert.equal(second.NextToken, undefined);
    await assert.rejects(w.baseClients(MEMBER).organizations().send(new ListAccountsCommand({})), {
      name: "AccessDeniedException",
    });
  });

  it("lists enabled regions with their opt-in status", async () => {
    const out = await w
      .baseClients(MEMBER)
      .account()
      .send(
        new ListRegionsCommand({
          RegionOptStatusContains: ["ENABLED", "ENABLED_BY_DEFAULT"],
          MaxResults: 50,
        }),
      );
    assert.deepEqual(
      out.Regions?.map((r) => `${r.RegionName}:${r.RegionOptStatus}`),
      ["af-south-1:ENABLED", "eu-west-1:ENABLED_BY_DEFAULT", "us-east-1:ENABLED_BY_DEFAULT"],
    );
  });
});
