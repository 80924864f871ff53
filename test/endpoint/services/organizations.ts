// Organizations (JSON 1.1): ListAccounts (paged) and DescribeOrganization, answered only to the
// management account, as AWS does for an organization without a delegated administrator.
import type { ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";

export interface OrganizationState {
  id: string;
  managementAccountId: string;
  /** Member account ids in join order (the management account included), with their status. */
  members: Map<string, { status: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE"; email: string }>;
  rootId: string;
  /** Parent of every account and OU (absent: the root). */
  parents: Map<string, string>;
  /** Service control policies by id. */
  policies: Map<string, { name: string; content: object }>;
  /** Policy ids attached to each target (root, OU or account). */
  attachments: Map<string, string[]>;
  /** Set false to answer PolicyTypeNotEnabledException, as an organization without SCPs does. */
  scpsEnabled: boolean;
}

export const FULL_AWS_ACCESS = "p-FullAWSAccess";

/** Put `accountId` (or an OU) under `parentId` (an OU id `ou-...`, or the root). */
export function placeUnder(org: OrganizationState, childId: string, parentId: string): void {
  org.parents.set(childId, parentId);
  if (!org.attachments.has(childId)) org.attachments.set(childId, [FULL_AWS_ACCESS]);
}

/** Attach an SCP (created on first use) to a target. */
export function attachScp(
  org: OrganizationState,
  targetId: string,
  id: string,
  name: string,
  content: object,
): void {
  org.policies.set(id, { name, content });
  const list = org.attachments.get(targetId) ?? [];
  if (!list.includes(id)) list.push(id);
  org.attachments.set(targetId, list);
}

const SERVICE = "organizations";

/** Make `managementAccountId` the management account of an organization of `memberIds`. */
export function createOrganization(
  world: World,
  managementAccountId: string,
  memberIds: string[],
): OrganizationState {
  const org: OrganizationState = {
    id: `o-${managementAccountId.slice(0, 10)}`,
    managementAccountId,
    members: new Map(),
    rootId: `r-${managementAccountId.slice(0, 4)}`,
    parents: new Map(),
    policies: new Map([
      [
        FULL_AWS_ACCESS,
        {
          name: "FullAWSAccess",
          content: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
      ],
    ]),
    attachments: new Map(),
    scpsEnabled: true,
  };
  org.attachments.set(org.rootId, [FULL_AWS_ACCESS]);
  for (const id of [managementAccountId, ...memberIds.filter((m) => m !== managementAccountId)]) {
    org.members.set(id, { status: "ACTIVE", email: `aws+${id}@example.com` });
    placeUnder(org, id, org.rootId);
  }
  world.account(managementAccountId).services[SERVICE] = org;
  return org;
}

/** The organization an account belongs to, if any. */
export function organizationOf(world: World, accountId: string): OrganizationState | undefined {
  for (const account of world.accounts.values()) {
    const org = account.services[SERVICE] as OrganizationState | undefined;
    if (org?.members.has(accountId)) return org;
  }
  return undefined;
}

function managementOnly(accountId: string, org: OrganizationState): void {
  if (accountId !== org.managementAccountId)
    throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.");
}

export const organizations: ServiceModule = {
  name: SERVICE,
  protocol: "json",
  global: true,
  handle(req, world) {
    const org = organizationOf(world, req.accountId);
    if (!org)
      throw new AwsError(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
      );
    const orgArn = `arn:aws:organizations::${org.managementAccountId}:organization/${org.id}`;
    switch (req.operation) {
      case "DescribeOrganization":
        return {
          body: {
            Organization: {
              Id: org.id,
              Arn: orgArn,
              FeatureSet: "ALL",
              MasterAccountId: org.managementAccountId,
              MasterAccountArn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
            },
          },
        };
      case "ListAccounts": {
        if (req.accountId !== org.managementAccountId)
          throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.");
        const ids = [...org.members.keys()];
        const max = Math.min(Number(req.params.MaxResults ?? 10), 20);
        const start = req.params.NextToken
          ? Number(Buffer.from(req.params.NextToken, "base64").toString())
          : 0;
        const page = ids.slice(start, start + max);
        const next =
          start + max < ids.length ? Buffer.from(String(start + max)).toString("base64") : undefined;
        return {
          body: {
            Accounts: page.map((id) => ({
              Id: id,
              Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${id}`,
              Email: org.members.get(id)!.email,
              Name: world.accounts.get(id)?.name ?? id,
              Status: org.members.get(id)!.status,
              JoinedMethod: id === org.managementAccountId ? "CREATED" : "INVITED",
              JoinedTimestamp: 1_700_000_000,
            })),
            NextToken: next,
          },
        };
      }
      case "ListParents": {
        managementOnly(req.accountId, org);
        const child = String(req.params.ChildId ?? "");
        if (!org.parents.has(child)) throw new AwsError("ChildNotFoundException", `child ${child} not found`);
        const parent = org.parents.get(child)!;
        return {
          body: { Parents: [{ Id: parent, Type: parent === org.rootId ? "ROOT" : "ORGANIZATIONAL_UNIT" }] },
        };
      }
      case "ListPoliciesForTarget": {
        managementOnly(req.accountId, org);
        if (req.params.Filter !== "SERVICE_CONTROL_POLICY")
          throw new AwsError("InvalidInputException", "only SERVICE_CONTROL_POLICY is served");
        if (!org.scpsEnabled)
          throw new AwsError(
            "PolicyTypeNotEnabledException",
            "This operation can be performed only for enabled policy types.",
          );
        const target = String(req.params.TargetId ?? "");
        if (target !== org.rootId && !org.parents.has(target))
          throw new AwsError("TargetNotFoundException", `target ${target} not found`);
        const ids = org.attachments.get(target) ?? [];
        return {
          body: {
            Policies: ids.map((id) => ({
              Id: id,
              Arn: `arn:aws:organizations::${org.managementAccountId}:policy/${org.id}/service_control_policy/${id}`,
              Name: org.policies.get(id)!.name,
              Type: "SERVICE_CONTROL_POLICY",
              AwsManaged: id === FULL_AWS_ACCESS,
            })),
          },
        };
      }
      case "DescribePolicy": {
        managementOnly(req.accountId, org);
        const id = String(req.params.PolicyId ?? "");
        const p = org.policies.get(id);
        if (!p) throw new AwsError("PolicyNotFoundException", `policy ${id} not found`);
        return {
          body: {
            Policy: {
              PolicySummary: {
                Id: id,
                Name: p.name,
                Type: "SERVICE_CONTROL_POLICY",
                AwsManaged: id === FULL_AWS_ACCESS,
              },
              Content: JSON.stringify(p.content),
            },
          },
        };
      }
      default:
        throw new AwsError(
          "InvalidInputException",
          `organizations ${req.operation} is not implemented by the test endpoint`,
        );
    }
  },
};
