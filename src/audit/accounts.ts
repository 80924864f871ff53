// Which accounts to audit and with which credentials: the configured list, AWS Organizations'
// ListAccounts, or both (a configured entry wins for its id).
import { ListRegionsCommand, type Region, type RegionOptStatus } from "@aws-sdk/client-account";
import { type Account, ListAccountsCommand } from "@aws-sdk/client-organizations";
import type { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { attempt, type Outcome } from "./attempt.ts";
import type { CollectionError, Inventory } from "./inventory.ts";

export interface AccountTarget {
  id: string;
  name?: string;
  /** Absent: read with the base credentials (must be the caller's own account). */
  roleArn?: string;
}

export interface Discovery {
  targets: AccountTarget[];
  source: Inventory["accountSource"];
  errors: CollectionError[];
}

export async function discoverAccounts(
  config: Config,
  clients: AwsClients,
  signal?: AbortSignal,
): Promise<Discovery> {
  const byId = new Map<string, AccountTarget>();
  const errors: CollectionError[] = [];
  if (config.organization) {
    const { roleName, excludeAccounts } = config.organization;
    const listed = await listOrganizationAccounts(clients, signal);
    if (listed.ok) {
      for (const a of listed.value) {
        if (!a.Id || excludeAccounts.includes(a.Id) || !isActive(a)) continue;
        const partition = a.Arn?.split(":")[1] || "aws";
        byId.set(a.Id, { id: a.Id, name: a.Name, roleArn: `arn:${partition}:iam::${a.Id}:role/${roleName}` });
      }
    } else errors.push(listed.error);
  }
  for (const a of config.accounts) {
    const target: AccountTarget = { id: a.id };
    const name = a.name ?? byId.get(a.id)?.name;
    if (name) target.name = name;
    if (a.roleArn) target.roleArn = a.roleArn;
    byId.set(a.id, target);
  }
  const source: Inventory["accountSource"] = config.organization
    ? config.accounts.length
      ? "config+organization"
      : "organization"
    : "config";
  const targets = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { targets, source, errors };
}

// Suspended or closing accounts cannot be read; ListAccounts reports Status (and, newer, State).
function isActive(a: Account): boolean {
  const state = (a as { State?: string }).State ?? a.Status;
  return state === undefined || state === "ACTIVE";
}

async function listOrganizationAccounts(
  clients: AwsClients,
  signal?: AbortSignal,
): Promise<Outcome<Account[]>> {
  return attempt(
    { service: "organizations", operation: "ListAccounts", region: clients.config.region },
    async () => {
      const all: Account[] = [];
      let token: string | undefined;
      do {
        const page = await clients
          .organizations()
          .send(new ListAccountsCommand({ NextToken: token }), { abortSignal: signal });
        all.push(...(page.Accounts ?? []));
        token = page.NextToken;
      } while (token);
      return all;
    },
    signal,
  );
}

const ENABLED: RegionOptStatus[] = ["ENABLED", "ENABLED_BY_DEFAULT"];

/** The account's enabled regions (account:ListRegions), sorted. */
export async function enabledRegions(
  clients: AwsClients,
  accountId: string,
  signal?: AbortSignal,
): Promise<Outcome<string[]>> {
  return attempt(
    { service: "account", operation: "ListRegions", accountId, region: clients.config.region },
    async () => {
      const regions: Region[] = [];
      let token: string | undefined;
      do {
        const page = await clients.account().send(
          new ListRegionsCommand({
            RegionOptStatusContains: ENABLED,
            MaxResults: 50,
            NextToken: token,
          }),
          { abortSignal: signal },
        );
        regions.push(...(page.Regions ?? []));
        token = page.NextToken;
      } while (token);
      return regions
        .filter((r) => r.RegionName && r.RegionOptStatus && ENABLED.includes(r.RegionOptStatus))
        .map((r) => r.RegionName!)
        .sort();
    },
    signal,
  );
}
