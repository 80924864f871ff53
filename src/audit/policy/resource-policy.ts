// Resource policies (the log bucket's policy): who they grant what, and whether a grant is public.
// A grant to `*` is not public when a condition pins it to known callers (aws:SourceAccount,
// aws:SourceArn, aws:PrincipalOrgID, aws:SourceVpce, ...), the way S3 Block Public Access and
// IAM Access Analyzer judge it.
import { type ConditionContext, evaluateConditions } from "./conditions.ts";
import type { PolicyDocument, PrincipalSpec, Statement } from "./document.ts";
import { statementCovers } from "./evaluate.ts";

/** Who a resource-policy principal entry stands for. */
export interface Caller {
  /** An IAM principal's ARN (role, user), an account root ARN, or `*`. */
  arn: string;
  accountId?: string;
  kind: "user" | "role" | "account" | "service" | "anyone";
  tags?: Readonly<Record<string, string>>;
}

const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/** A Principal entry as a caller. */
export function callerOf(kind: string, id: string): Caller {
  if (id === "*") return { arn: "*", kind: "anyone" };
  if (kind === "Service") return { arn: id, kind: "service" };
  if (/^\d{12}$/.test(id)) return { arn: `arn:aws:iam::${id}:root`, accountId: id, kind: "account" };
  const root = ROOT.exec(id);
  if (root) return { arn: id, accountId: root[1], kind: "account" };
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(user|role|assumed-role)\//.exec(id);
  if (m) return { arn: id, accountId: m[1], kind: m[2] === "user" ? "user" : "role" };
  return { arn: id, kind: kind === "AWS" ? "role" : "service" };
}

function entries(spec: PrincipalSpec): Caller[] {
  if (spec === "*") return [{ arn: "*", kind: "anyone" }];
  return Object.entries(spec).flatMap(([kind, ids]) => ids.map((id) => callerOf(kind, id)));
}

/** Does a statement's Principal (or NotPrincipal) take in this caller? */
export function principalCovers(s: Statement, who: Caller): boolean {
  const listed = (spec: PrincipalSpec) =>
    entries(spec).some(
      (e) =>
        e.kind === "anyone" ||
        e.arn === who.arn ||
        // An account root entry stands for every principal of that account.
        (e.kind === "account" && who.kind !== "service" && e.accountId === who.accountId),
    );
  if (s.principal) return listed(s.principal);
  if (s.notPrincipal) return !listed(s.notPrincipal);
  return false;
}

/** Condition keys resolvable for a caller named by a resource policy. */
export function callerContext(who: Caller): ConditionContext {
  const values: Record<string, string[]> = {};
  const known = new Set<string>();
  if (who.kind === "user" || who.kind === "role") {
    values["aws:principalarn"] = [who.arn];
    values["aws:principaltype"] = [who.kind === "user" ? "User" : "AssumedRole"];
    known.add("aws:principalarn").add("aws:principaltype");
  }
  if (who.accountId) {
    values["aws:principalaccount"] = [who.accountId];
    known.add("aws:principalaccount");
  }
  for (const [k, v] of Object.entries(who.tags ?? {})) values[`aws:principaltag/${k.toLowerCase()}`] = [v];
  const tagsKnown = who.tags !== undefined;
  return { values, knows: (k) => known.has(k) || (tagsKnown && k.startsWith("aws:principaltag/")) };
}

export interface ResourceGrant {
  caller: Caller;
  action: string;
  source: string;
  unresolved: string[];
}

/**
 * What the resource policy grants, per caller and action, over any of `resources`, after the
 * policy's own Denies. Callers are the principals the Allow statements name (`*` for anyone).
 */
export function resourcePolicyGrants(
  doc: PolicyDocument,
  actions: readonly string[],
  resources: readonly string[],
): ResourceGrant[] {
  const out: ResourceGrant[] = [];
  const seen = new Set<string>();
  for (const s of doc.statements) {
    if (s.effect !== "Allow") continue;
    const callers = s.principal
      ? entries(s.principal)
      : s.notPrincipal
        ? [{ arn: "*", kind: "anyone" } as Caller]
        : [];
    for (const caller of callers)
      for (const action of actions) {
        const key = `${caller.arn}|${action}`;
        if (seen.has(key)) continue;
        const resource = resources.find((r) => statementCovers(s, action, r));
        if (!resource) continue;
        const ctx = callerContext(caller);
        const c = evaluateConditions(s.condition, ctx);
        if (c.result === "nomatch") continue;
        const unresolved =
          c.result === "unknown"
            ? [`Allow in ${s.source} counted: cannot resolve ${c.unresolved.join(", ")}`]
            : [];
        const denied = denyIn(doc, caller, action, resource, ctx, unresolved);
        if (denied) continue;
        seen.add(key);
        out.push({ caller, action, source: s.source, unresolved });
      }
  }
  return out;
}

/** A Deny of the resource policy that certainly applies to the caller; unresolved ones are noted. */
export function denyIn(
  doc: PolicyDocument,
  caller: Caller,
  action: string,
  resource: string,
  ctx: ConditionContext,
  notes: string[],
): string | undefined {
  for (const s of doc.statements) {
    if (s.effect !== "Deny" || !statementCovers(s, action, resource)) continue;
    // A Deny to `*` covers every caller; one naming others covers only them.
    if (!principalCovers(s, caller)) continue;
    const c = evaluateConditions(s.condition, ctx);
    if (c.result === "match") return s.source;
    if (c.result === "unknown")
      notes.push(`Deny in ${s.source} not counted: cannot resolve ${c.unresolved.join(", ")}`);
  }
  return undefined;
}

/**
 * The statements of a resource policy that apply to an IAM principal of the resource's own account:
 * Allows that name it by ARN or `*` (one naming only the account root leaves the grant to IAM), and
 * every Deny that covers it.
 */
export function grantsTo(doc: PolicyDocument, who: Caller): PolicyDocument {
  const names = (s: Statement) =>
    s.notPrincipal
      ? principalCovers(s, who)
      : entries(s.principal ?? {}).some((e) => e.kind === "anyone" || e.arn === who.arn);
  return {
    name: doc.name,
    statements: doc.statements.filter((s) => (s.effect === "Deny" ? principalCovers(s, who) : names(s))),
  };
}

// Keys that, fixed to specific values, keep a `*` grant from being public.
const RESTRICTING_KEYS = new Set([
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:userid",
  "aws:username",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "s3:dataaccesspointaccount",
  "s3:dataaccesspointarn",
]);

/** The restricting conditions of a statement (a positive operator on a pinning key with no wildcard value). */
export function restrictingConditions(s: Statement): string[] {
  const out: string[] = [];
  for (const [op, keys] of Object.entries(s.condition ?? {})) {
    const o = op.toLowerCase();
    if (o.includes("not") || o.endsWith("ifexists") || o.startsWith("forallvalues:")) continue;
    if (!/^(foranyvalue:)?(string|arn|ipaddress)/.test(o)) continue;
    for (const [key, values] of Object.entries(keys))
      if (
        RESTRICTING_KEYS.has(key.toLowerCase()) &&
        values.length &&
        values.every((v) => v !== "*" && !/^\*|:\*$/.test(v))
      )
        out.push(`${op} ${key}`);
  }
  return out;
}

export interface PublicStatement {
  source: string;
  actions: string[];
}

/** Allow statements open to anyone (`*` or NotPrincipal) with no restricting condition. */
export function publicStatements(doc: PolicyDocument): PublicStatement[] {
  return doc.statements
    .filter((s) => s.effect === "Allow")
    .filter((s) => (s.principal ? entries(s.principal).some((e) => e.kind === "anyone") : !!s.notPrincipal))
    .filter((s) => restrictingConditions(s).length === 0)
    .map((s) => ({
      source: s.source,
      actions: s.action ?? (s.notAction ?? []).map((a) => `NotAction ${a}`),
    }));
}
