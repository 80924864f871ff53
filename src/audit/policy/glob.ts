// Wildcard matching as IAM does it: `*` is any run of characters, `?` any one character. No regex,
// so an untrusted pattern cannot blow up: the two-pointer walk is O(pattern × value) at worst.

/** True when `value` matches `pattern`; `ignoreCase` for actions (IAM compares them case-insensitively). */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** An IAM action (service:Operation) against action patterns, case-insensitively. */
export function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => globMatch(p, action, true));
}

/** A resource ARN against resource patterns. ARNs compare case-sensitively. */
export function resourceMatches(patterns: readonly string[], arn: string): boolean {
  return patterns.some((p) => p === "*" || globMatch(p, arn));
}
