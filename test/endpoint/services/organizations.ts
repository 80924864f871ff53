// Organizations (JSON 1.1): ListAccounts (paged) and DescribeOrganization, answered only to the
// management account, as AWS does for an organization without a delegated administrator.
import type { ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";

export interface OrganizationState {
  id: string;
  managementAccountId: string;
  /** Member account ids in join order (the management account included), with their status. */
  members: Map<string, { status: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE"; email: string }>;
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
  };
  for (const id of [managementAccountId, ...memberIds.filter((m) => m !== managementAccountId)])
    org.members.set(id, { status: "ACTIVE", email: `aws+${id}@example.com` });
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
      default:
        throw new AwsError(
          "InvalidInputException",
          `organizations ${req.operation} is not implemented by the test endpoint`,
        );
    }
  },
};
