// Static evaluation of IAM condition blocks. Only the String and Arn operators (Equals, NotEquals,
// Like, NotLike, each with IfExists) are evaluated, and only for keys the caller can resolve (for
// an identity: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalTag/*).
// Anything else is "unknown", and the caller decides which way an unknown leans.
import type { ConditionBlock } from "./document.ts";
import { globMatch } from "./glob.ts";

export interface ConditionContext {
  /** Lower-cased key → its values. A known key missing here is known to be absent from the request. */
  values: Readonly<Record<string, readonly string[]>>;
  /** Can this lower-cased key be resolved for the request at all? */
  knows(key: string): boolean;
}

export type ConditionResult =
  | { result: "match" }
  | { result: "nomatch" }
  | { result: "unknown"; unresolved: string[] };

interface Operator {
  negated: boolean;
  ifExists: boolean;
  compare: (pattern: string, value: string) => boolean;
}

const arnParts = (s: string) => {
  const parts = s.split(":");
  return parts.length > 6 ? [...parts.slice(0, 5), parts.slice(5).join(":")] : parts;
};

function arnLike(pattern: string, value: string): boolean {
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (p.length !== v.length) return p.length === 1 && globMatch(pattern, value);
  return p.every((seg, i) => globMatch(seg, v[i]));
}

const COMPARE: Partial<Record<string, Operator["compare"]>> = {
  stringequals: (p, v) => p === v,
  stringequalsignorecase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  stringlike: (p, v) => globMatch(p, v),
  arnequals: arnLike,
  arnlike: arnLike,
};

function operator(name: string): Operator | undefined {
  let op = name.toLowerCase();
  const ifExists = op.endsWith("ifexists");
  if (ifExists) op = op.slice(0, -"ifexists".length);
  const negated = /^(string|arn)not/.test(op);
  const base = negated ? op.replace(/^(string|arn)not/, "$1") : op;
  const compare: Operator["compare"] | undefined = COMPARE[base];
  return compare ? { negated, ifExists, compare } : undefined;
}

/** Every operator and key of the block must hold (AND); the values of one key are alternatives (OR). */
export function evaluateConditions(
  block: ConditionBlock | undefined,
  ctx: ConditionContext,
): ConditionResult {
  if (!block) return { result: "match" };
  const unresolved: string[] = [];
  for (const [opName, keys] of Object.entries(block)) {
    const op = opName.includes(":") ? undefined : operator(opName);
    for (const [key, patterns] of Object.entries(keys)) {
      const k = key.toLowerCase();
      const described = `${opName} ${key} ${JSON.stringify(patterns.length === 1 ? patterns[0] : patterns)}`;
      if (!op || !ctx.knows(k) || patterns.some((p) => p.includes("${"))) {
        unresolved.push(described);
        continue;
      }
      const values = ctx.values[k];
      let holds: boolean;
      if (!values || values.length === 0) holds = op.negated || op.ifExists;
      else {
        const any = values.some((v) => patterns.some((p) => op.compare(p, v)));
        holds = op.negated ? !any : any;
      }
      if (!holds) return { result: "nomatch" };
    }
  }
  return unresolved.length ? { result: "unknown", unresolved } : { result: "match" };
}
