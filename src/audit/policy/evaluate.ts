// Does an IAM principal have an action on a resource? The evaluation logic of AWS, statically:
// an explicit Deny anywhere wins; otherwise an identity policy must allow, a permissions boundary
// (when set) must allow, and every level of the Organizations SCP chain (root, each OU, the
// account) must allow. Conditions that cannot be resolved lean towards access: an Allow counts,
// a Deny does not. Each such leap is noted so the finding can say so.
import { type ConditionContext, evaluateConditions } from "./conditions.ts";
import type { PolicyDocument, Statement } from "./document.ts";
import { actionMatches, resourceMatches } from "./glob.ts";

export interface IdentityPrincipal {
  arn: string;
  accountId: string;
  kind: "user" | "role";
  tags: Readonly<Record<string, string>>;
  /** Inline and attached managed policies (default version), and for users their groups' policies. */
  policies: PolicyDocument[];
  /** The permissions boundary, when one is set. */
  boundary?: PolicyDocument;
  /** Policies that apply but could not be read or parsed (attached policy missing, bad JSON). */
  unreadable: string[];
}

/** The SCPs that apply to an account: every level must allow. */
export interface ScpChain {
  levels: { target: string; policies: PolicyDocument[] }[];
}

export interface Decision {
  allowed: boolean;
  /** The result hangs on a policy that could not be read: neither allowed nor denied is known. */
  unknown?: string;
  allowedBy?: string;
  deniedBy?: string;
  /** Conditions that could not be resolved and how they were treated. */
  unresolved: string[];
}

const PRINCIPAL_KEYS = new Set(["aws:principalarn", "aws:principalaccount", "aws:principaltype"]);

/** The request context keys known for a principal acting with its own credentials. */
export function identityContext(
  p: Pick<IdentityPrincipal, "arn" | "accountId" | "kind" | "tags">,
): ConditionContext {
  const values: Record<string, string[]> = {
    "aws:principalarn": [p.arn],
    "aws:principalaccount": [p.accountId],
    "aws:principaltype": [p.kind === "user" ? "User" : "AssumedRole"],
  };
  for (const [k, v] of Object.entries(p.tags)) values[`aws:principaltag/${k.toLowerCase()}`] = [v];
  return {
    values,
    knows: (key) => PRINCIPAL_KEYS.has(key) || key.startsWith("aws:principaltag/"),
  };
}

/** Does the statement's Action/NotAction and Resource/NotResource cover this request? */
export function statementCovers(s: Statement, action: string, resource: string): boolean {
  const actionOk = s.action ? actionMatches(s.action, action) : !actionMatches(s.notAction ?? [], action);
  if (!actionOk) return false;
  if (s.resource) return resourceMatches(s.resource, resource);
  if (s.notResource) return !resourceMatches(s.notResource, resource);
  return true; // SCPs may leave Resource out: every resource
}

interface Scan {
  /** A statement of this effect applies for certain. */
  sure?: string;
  /** Applies only if conditions we could not resolve hold. */
  maybe?: { source: string; unresolved: string[] };
}

function scan(
  policies: readonly PolicyDocument[],
  effect: "Allow" | "Deny",
  action: string,
  resource: string,
  ctx: ConditionContext,
): Scan {
  const out: Scan = {};
  for (const doc of policies)
    for (const s of doc.statements) {
      if (s.effect !== effect || !statementCovers(s, action, resource)) continue;
      const c = evaluateConditions(s.condition, ctx);
      if (c.result === "match") return { sure: s.source };
      if (c.result === "unknown") out.maybe ??= { source: s.source, unresolved: c.unresolved };
    }
  return out;
}

/** Is the principal allowed `action` on `resource`, given its policies, boundary and SCPs? */
export function evaluateIdentity(
  p: IdentityPrincipal,
  action: string,
  resource: string,
  scps?: ScpChain,
  /** The resource's policy, reduced to the statements that apply to this principal (grantsTo). */
  resourcePolicy?: PolicyDocument,
  ctx: ConditionContext = identityContext(p),
): Decision {
  const unresolved: string[] = [];
  const scopes: PolicyDocument[][] = [p.policies];
  if (resourcePolicy) scopes.push([resourcePolicy]);
  if (p.boundary) scopes.push([p.boundary]);
  for (const level of scps?.levels ?? []) scopes.push(level.policies);
  for (const docs of scopes) {
    const deny = scan(docs, "Deny", action, resource, ctx);
    if (deny.sure) return { allowed: false, deniedBy: deny.sure, unresolved };
    if (deny.maybe)
      unresolved.push(
        `Deny in ${deny.maybe.source} not counted: cannot resolve ${deny.maybe.unresolved.join(", ")}`,
      );
  }
  const grant = (docs: PolicyDocument[]): boolean => {
    const allow = scan(docs, "Allow", action, resource, ctx);
    if (allow.sure) return true;
    if (allow.maybe) {
      unresolved.push(
        `Allow in ${allow.maybe.source} counted: cannot resolve ${allow.maybe.unresolved.join(", ")}`,
      );
      return true;
    }
    return false;
  };
  const identity = scan(p.policies, "Allow", action, resource, ctx);
  let allowedBy = identity.sure;
  if (!allowedBy && identity.maybe) {
    allowedBy = identity.maybe.source;
    unresolved.push(
      `Allow in ${identity.maybe.source} counted: cannot resolve ${identity.maybe.unresolved.join(", ")}`,
    );
  }
  // Within one account a resource policy naming the principal grants on its own; a permissions
  // boundary does not limit that grant (SCPs still do).
  let viaResource = false;
  if (!allowedBy && resourcePolicy) {
    const r = scan([resourcePolicy], "Allow", action, resource, ctx);
    allowedBy = r.sure ?? r.maybe?.source;
    if (r.maybe && !r.sure)
      unresolved.push(`Allow in ${r.maybe.source} counted: cannot resolve ${r.maybe.unresolved.join(", ")}`);
    viaResource = allowedBy !== undefined;
  }
  if (!allowedBy) {
    if (p.unreadable.length)
      return { allowed: false, unknown: `unreadable policies: ${p.unreadable.join(", ")}`, unresolved };
    return { allowed: false, unresolved };
  }
  if (p.boundary && !viaResource && !grant([p.boundary]))
    return { allowed: false, deniedBy: `permissions boundary ${p.boundary.name} (no Allow)`, unresolved };
  for (const level of scps?.levels ?? [])
    if (!grant(level.policies))
      return { allowed: false, deniedBy: `SCPs of ${level.target} (no Allow)`, unresolved };
  return { allowed: true, allowedBy, unresolved };
}
