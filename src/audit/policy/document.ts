// IAM policy documents in one normalized shape. Documents come from AWS (identity policies, SCPs,
// bucket policies) or a saved inventory: untrusted JSON, checked field by field. A document that
// does not parse is reported by the caller, never silently treated as empty.

export type Effect = "Allow" | "Deny";

/** Principal of a resource-policy statement: `*`, or principals by kind (AWS, Service, Federated, CanonicalUser). */
export type PrincipalSpec = "*" | Record<string, string[]>;

/** Condition block: operator → key → values (all as strings, as IAM compares them). */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export interface Statement {
  /** Where the statement comes from, for messages: a policy name, and the Sid when there is one. */
  source: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  condition?: ConditionBlock;
}

export interface PolicyDocument {
  name: string;
  statements: Statement[];
}

export class PolicyParseError extends Error {
  override name = "PolicyParseError";
}

const strings = (v: unknown, where: string): string[] => {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x === "string") return x;
    if (typeof x === "number" || typeof x === "boolean") return String(x);
    throw new PolicyParseError(`${where}: expected strings`);
  });
};

function principal(v: unknown, where: string): PrincipalSpec {
  if (v === "*") return "*";
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new PolicyParseError(`${where}: bad principal`);
  const out: Record<string, string[]> = {};
  for (const [kind, ids] of Object.entries(v)) out[kind] = strings(ids, `${where}.${kind}`);
  return out;
}

function condition(v: unknown, where: string): ConditionBlock {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new PolicyParseError(`${where}: bad Condition`);
  const out: ConditionBlock = {};
  for (const [op, keys] of Object.entries(v)) {
    if (!keys || typeof keys !== "object" || Array.isArray(keys))
      throw new PolicyParseError(`${where}.${op}: bad condition operator block`);
    out[op] = {};
    for (const [key, values] of Object.entries(keys)) out[op][key] = strings(values, `${where}.${op}.${key}`);
  }
  return out;
}

/** Parse a policy document (JSON text, URL-encoded JSON text as IAM returns it, or an object). */
export function parsePolicy(name: string, raw: unknown): PolicyDocument {
  let doc = raw;
  if (typeof raw === "string") {
    const text = raw.trimStart().startsWith("%7B") ? decodeURIComponent(raw) : raw;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new PolicyParseError(`${name}: not JSON (${(err as Error).message})`);
    }
  }
  if (!doc || typeof doc !== "object") throw new PolicyParseError(`${name}: not a policy document`);
  const rawStatements = (doc as { Statement?: unknown }).Statement;
  if (rawStatements === undefined) throw new PolicyParseError(`${name}: no Statement`);
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements = list.map((s, i): Statement => {
    const where = `${name} statement ${i + 1}`;
    if (!s || typeof s !== "object") throw new PolicyParseError(`${where}: not an object`);
    const r = s as Record<string, unknown>;
    if (r.Effect !== "Allow" && r.Effect !== "Deny")
      throw new PolicyParseError(`${where}: Effect must be Allow or Deny`);
    const sid = typeof r.Sid === "string" && r.Sid ? r.Sid : undefined;
    const st: Statement = { source: sid ? `${name} (${sid})` : name, effect: r.Effect };
    if (r.Action !== undefined) st.action = strings(r.Action, `${where}.Action`);
    if (r.NotAction !== undefined) st.notAction = strings(r.NotAction, `${where}.NotAction`);
    if (r.Resource !== undefined) st.resource = strings(r.Resource, `${where}.Resource`);
    if (r.NotResource !== undefined) st.notResource = strings(r.NotResource, `${where}.NotResource`);
    if (r.Principal !== undefined) st.principal = principal(r.Principal, `${where}.Principal`);
    if (r.NotPrincipal !== undefined) st.notPrincipal = principal(r.NotPrincipal, `${where}.NotPrincipal`);
    if (r.Condition !== undefined) st.condition = condition(r.Condition, `${where}.Condition`);
    if (!st.action && !st.notAction) throw new PolicyParseError(`${where}: no Action or NotAction`);
    return st;
  });
  return { name, statements };
}
