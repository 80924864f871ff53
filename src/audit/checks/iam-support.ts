// From the inventory's IAM and SCP snapshots to what the policy evaluator takes: each user and role
// with every policy that applies to it (inline, attached, its groups'), its boundary and tags; the
// SCP chain of the account; and who counts as a trail administrator.

import type { AccountInventory, IamPrincipalRecord, PolicyRecord } from "../inventory.ts";
import { type PolicyDocument, parsePolicy } from "../policy/document.ts";
import type { IdentityPrincipal, ScpChain } from "../policy/evaluate.ts";
import { globMatch } from "../policy/glob.ts";

function parsed(record: PolicyRecord, unreadable: string[]): PolicyDocument | undefined {
  if (record.document === undefined) {
    unreadable.push(`${record.name} (${record.error ?? "no document"})`);
    return undefined;
  }
  try {
    return parsePolicy(record.name, record.document);
  } catch (err) {
    unreadable.push(`${record.name} (${(err as Error).message})`);
    return undefined;
  }
}

// Several checks, and every trail of an account, evaluate the same principals: parse them once per
// inventory object. Keyed weakly, so a judged inventory is not kept alive.
const parsedPrincipals = new WeakMap<AccountInventory, IdentityPrincipal[]>();

/** Every IAM user and role of the account as an evaluable principal. */
export function identityPrincipals(account: AccountInventory): IdentityPrincipal[] {
  let hit = parsedPrincipals.get(account);
  if (!hit) {
    hit = buildPrincipals(account);
    parsedPrincipals.set(account, hit);
  }
  return hit;
}

function buildPrincipals(account: AccountInventory): IdentityPrincipal[] {
  const iam = account.iam;
  if (!iam) return [];
  const managed = new Map(iam.managedPolicies.map((p) => [p.arn, p]));
  const groups = new Map(iam.groups.map((g) => [g.name, g]));
  const build = (r: IamPrincipalRecord, kind: "user" | "role"): IdentityPrincipal => {
    const unreadable: string[] = [];
    const records: PolicyRecord[] = [...r.inlinePolicies];
    const attach = (arns: string[]) => {
      for (const arn of arns) {
        const p = managed.get(arn);
        if (p) records.push(p);
        else unreadable.push(`${arn} (not returned by GetAccountAuthorizationDetails)`);
      }
    };
    attach(r.attachedPolicyArns);
    for (const name of r.groups ?? []) {
      const g = groups.get(name);
      if (!g) {
        unreadable.push(`group ${name} (not returned)`);
        continue;
      }
      records.push(...g.inlinePolicies.map((p) => ({ ...p, name: `${g.name}/${p.name}` })));
      attach(g.attachedPolicyArns);
    }
    const policies = records.map((p) => parsed(p, unreadable)).filter((d): d is PolicyDocument => !!d);
    const principal: IdentityPrincipal = {
      arn: r.arn,
      accountId: account.id,
      kind,
      tags: r.tags ?? {},
      policies,
      unreadable,
    };
    // A boundary that cannot be read is left out: without it the principal may do more, not less.
    const boundary = r.permissionsBoundaryArn ? managed.get(r.permissionsBoundaryArn) : undefined;
    const boundaryDoc = boundary && parsed(boundary, []);
    if (boundaryDoc) principal.boundary = boundaryDoc;
    return principal;
  };
  return [...iam.users.map((u) => build(u, "user")), ...iam.roles.map((r) => build(r, "role"))];
}

export type ScpLookup =
  | { chain?: ScpChain; note: string; error?: undefined }
  | { chain?: undefined; note: string; error: NonNullable<AccountInventory["scpsError"]> };

/** The SCPs bounding the account's principals, or why there are none to apply. */
export function scpsOf(account: AccountInventory): ScpLookup {
  if (account.scpsError) return { note: "SCPs could not be read", error: account.scpsError };
  const s = account.scps;
  if (!s) return { note: "SCPs not evaluated (no organization configured)" };
  if (s.managementAccountId === account.id) return { note: "SCPs do not apply to the management account" };
  const unreadable: string[] = [];
  const levels = s.levels.map((l) => ({
    target: l.target,
    policies: l.policies.map((p) => parsed(p, unreadable)).filter((d): d is PolicyDocument => !!d),
  }));
  // An unreadable SCP is dropped: without it the principals may do more, not less.
  const note = unreadable.length
    ? `SCPs applied, except unreadable ones: ${unreadable.join(", ")}`
    : `SCPs of ${levels.length} level(s) applied`;
  // An unreadable policy at a level that has no other would wrongly deny everything: drop that level.
  return { chain: { levels: levels.filter((l) => l.policies.length > 0) }, note };
}

/** Is this ARN one of `policy.trailAdmins`? Patterns use `*` wildcards. */
export function isTrailAdmin(arn: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globMatch(p, arn));
}

/** "role/Ops (StopLogging, DeleteTrail), user/bob (UpdateTrail) and 3 more" */
export function listOffenders(offenders: { who: string; actions: string[] }[], max = 5): string {
  const shown = offenders
    .slice(0, max)
    .map((o) => `${o.who} (${o.actions.join(", ")})`)
    .join(", ");
  return offenders.length > max ? `${shown} and ${offenders.length - max} more` : shown;
}

/** An ARN without the account prefix, for messages: arn:aws:iam::1:role/x → role/x. */
export function shortArn(arn: string): string {
  const m = /^arn:aws[a-z-]*:iam::\d{12}:(.+)$/.exec(arn);
  return m ? m[1] : arn;
}
