// IAM of one account in one paginated call family: GetAccountAuthorizationDetails lists every user,
// group, role and managed policy in use, with inline policies and each managed policy's versions.
// Only the default version of a managed policy applies; policy documents come URL-encoded.
import {
  type AttachedPolicy,
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  type PolicyDetail,
  type Tag,
} from "@aws-sdk/client-iam";
import type { AwsClients } from "../aws/clients.ts";
import { attempt, type Outcome } from "./attempt.ts";
import type { IamPrincipalRecord, IamSnapshot, PolicyRecord } from "./inventory.ts";

/** A policy document as IAM returns it (URL-encoded JSON) → a PolicyRecord, keeping a parse failure. */
export function policyRecord(name: string, raw: string | undefined): PolicyRecord {
  if (raw === undefined) return { name, error: "no document returned" };
  try {
    const text = raw.trimStart().startsWith("{") ? raw : decodeURIComponent(raw);
    return { name, document: JSON.parse(text) };
  } catch (err) {
    return { name, error: `not a JSON policy document: ${(err as Error).message}` };
  }
}

const inline = (list: PolicyDetail[] | undefined) =>
  (list ?? []).map((p) => policyRecord(p.PolicyName ?? "(unnamed)", p.PolicyDocument));
const attached = (list: AttachedPolicy[] | undefined) =>
  (list ?? []).map((p) => p.PolicyArn ?? "").filter(Boolean);
const tags = (list: Tag[] | undefined) =>
  list?.length ? Object.fromEntries(list.map((t) => [t.Key ?? "", t.Value ?? ""])) : undefined;

function principal(
  e: { Arn?: string; Path?: string; Tags?: Tag[]; AttachedManagedPolicies?: AttachedPolicy[] },
  name: string,
  policies: PolicyDetail[] | undefined,
  boundaryArn: string | undefined,
): IamPrincipalRecord {
  const r: IamPrincipalRecord = {
    arn: e.Arn ?? "",
    name,
    inlinePolicies: inline(policies),
    attachedPolicyArns: attached(e.AttachedManagedPolicies),
  };
  if (e.Path && e.Path !== "/") r.path = e.Path;
  const t = tags(e.Tags);
  if (t) r.tags = t;
  if (boundaryArn) r.permissionsBoundaryArn = boundaryArn;
  return r;
}

export function iamSnapshot(pages: GetAccountAuthorizationDetailsCommandOutput[]): IamSnapshot {
  const snapshot: IamSnapshot = { users: [], roles: [], groups: [], managedPolicies: [] };
  for (const page of pages) {
    for (const u of page.UserDetailList ?? []) {
      const r = principal(
        u,
        u.UserName ?? "",
        u.UserPolicyList,
        u.PermissionsBoundary?.PermissionsBoundaryArn,
      );
      r.groups = [...(u.GroupList ?? [])];
      snapshot.users.push(r);
    }
    for (const role of page.RoleDetailList ?? [])
      snapshot.roles.push(
        principal(
          role,
          role.RoleName ?? "",
          role.RolePolicyList,
          role.PermissionsBoundary?.PermissionsBoundaryArn,
        ),
      );
    for (const g of page.GroupDetailList ?? [])
      snapshot.groups.push({
        arn: g.Arn ?? "",
        name: g.GroupName ?? "",
        inlinePolicies: inline(g.GroupPolicyList),
        attachedPolicyArns: attached(g.AttachedManagedPolicies),
      });
    for (const p of page.Policies ?? []) {
      const current =
        p.PolicyVersionList?.find((v) => v.IsDefaultVersion) ??
        p.PolicyVersionList?.find((v) => v.VersionId === p.DefaultVersionId);
      snapshot.managedPolicies.push({
        arn: p.Arn ?? "",
        ...policyRecord(p.PolicyName ?? p.Arn ?? "", current?.Document),
      });
    }
  }
  const byArn = (a: { arn: string }, b: { arn: string }) => a.arn.localeCompare(b.arn);
  snapshot.users.sort(byArn);
  snapshot.roles.sort(byArn);
  snapshot.groups.sort(byArn);
  snapshot.managedPolicies.sort(byArn);
  return snapshot;
}

/** Every page of GetAccountAuthorizationDetails, once per account. */
export function readIam(
  clients: AwsClients,
  accountId: string,
  signal?: AbortSignal,
): Promise<Outcome<IamSnapshot>> {
  return attempt(
    { service: "iam", operation: "GetAccountAuthorizationDetails", accountId, region: clients.config.region },
    async () => {
      const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
      let marker: string | undefined;
      do {
        const page = await clients
          .iam()
          .send(new GetAccountAuthorizationDetailsCommand({ Marker: marker, MaxItems: 1000 }), {
            abortSignal: signal,
          });
        pages.push(page);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return iamSnapshot(pages);
    },
    signal,
  );
}
