// The condition language of Sigma v2: identifiers, `and`, `or`, `not`, parentheses, and
// `1 of X*` / `any of X*` / `all of X*` / `N of X*` / `... of them`. Precedence (loosest first):
// or < and < not < x of < ( ). The v1 aggregations (`| count()`, `near`) are reported as unsupported.
import { ANY, compileStringTest } from "./patterns.ts";

export type CondNode =
  | { kind: "id"; name: string; offset: number }
  | { kind: "and" | "or"; left: CondNode; right: CondNode }
  | { kind: "not"; operand: CondNode }
  | {
      kind: "of";
      quantifier: "one" | "all";
      pattern: string | null;
      offset: number;
      /** `N of` with N > 1: at least N of the identifiers (quantifier is then "one"). */
      atLeast?: number;
    };

/** A syntax error at a character offset inside the condition string. */
export class ConditionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Token {
  type: "word" | "(" | ")";
  text: string;
  offset: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ type: c, text: c, offset: i });
      i++;
    } else if (c === "|") {
      const what = /^\s*near\b/i.test(src.slice(i + 1)) ? "`| near ...`" : "`| count() ...`";
      throw new ConditionError(
        `unsupported: the Sigma v1 aggregation syntax (${what}) was replaced by correlation rules`,
        i,
      );
    } else {
      const m = /^[A-Za-z0-9_.*-]+/.exec(src.slice(i));
      if (!m) throw new ConditionError(`unexpected character "${c}"`, i);
      tokens.push({ type: "word", text: m[0], offset: i });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Untrusted input: bound the recursion of `not` and parentheses. */
const MAX_DEPTH = 64;

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "all", "any"]);

export function parseCondition(src: string): CondNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.type === "word" && t.text.toLowerCase() === w;
  const end = () => src.length;

  /** A left-associative chain of `op` over operands parsed by `operand`. */
  function parseChain(op: "and" | "or", operand: () => CondNode): CondNode {
    let left = operand();
    while (isWord(peek(), op)) {
      pos++;
      left = { kind: op, left, right: operand() };
    }
    return left;
  }
  const parseAnd = (): CondNode => parseChain("and", parseNot);
  const parseOr = (): CondNode => parseChain("or", parseAnd);
  let depth = 0;
  function parseNot(): CondNode {
    const t = peek();
    if (++depth > MAX_DEPTH)
      throw new ConditionError(`condition nests deeper than ${MAX_DEPTH} levels`, t?.offset ?? end());
    try {
      if (isWord(t, "not")) {
        pos++;
        return { kind: "not", operand: parseNot() };
      }
      return parsePrimary();
    } finally {
      depth--;
    }
  }
  function parsePrimary(): CondNode {
    const t = peek();
    if (!t) throw new ConditionError("condition ends where an identifier or `(` was expected", end());
    if (t.type === "(") {
      pos++;
      const inner = parseOr();
      const close = peek();
      if (close?.type !== ")") throw new ConditionError("missing `)`", close?.offset ?? end());
      pos++;
      return inner;
    }
    if (t.type === ")") throw new ConditionError("unexpected `)`", t.offset);
    const lower = t.text.toLowerCase();
    if (lower === "near") {
      throw new ConditionError("unsupported: `near` is Sigma v1 aggregation syntax", t.offset);
    }
    if (/^\d+$/.test(t.text) || lower === "all" || lower === "any") {
      const next = tokens[pos + 1];
      if (!isWord(next, "of")) throw new ConditionError(`"${t.text}" must be followed by "of"`, t.offset);
      const n = /^\d+$/.test(t.text) ? Number(t.text) : undefined;
      if (n === 0 || (n !== undefined && !Number.isSafeInteger(n))) {
        throw new ConditionError(`"${t.text} of" selects nothing: use 1 or more`, t.offset);
      }
      pos += 2;
      const target = peek();
      if (
        target?.type !== "word" ||
        (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== "them")
      ) {
        throw new ConditionError('"of" must be followed by a pattern or "them"', target?.offset ?? end());
      }
      pos++;
      const quantifier = lower === "all" ? "all" : "one";
      const pattern = target.text.toLowerCase() === "them" ? null : target.text;
      if (n !== undefined && n > 1)
        return { kind: "of", quantifier, pattern, offset: target.offset, atLeast: n };
      return { kind: "of", quantifier, pattern, offset: target.offset };
    }
    if (KEYWORDS.has(lower)) throw new ConditionError(`unexpected "${t.text}"`, t.offset);
    if (t.text.includes("*")) {
      throw new ConditionError(`a wildcard identifier "${t.text}" needs "1 of" or "all of"`, t.offset);
    }
    pos++;
    return { kind: "id", name: t.text, offset: t.offset };
  }

  if (tokens.length === 0) throw new ConditionError("empty condition", 0);
  const node = parseOr();
  const rest = peek();
  if (rest) {
    if (isWord(rest, "near"))
      throw new ConditionError("unsupported: `near` is Sigma v1 aggregation syntax", rest.offset);
    throw new ConditionError(`unexpected "${rest.text}"`, rest.offset);
  }
  return node;
}

/**
 * Identifiers an `x of` pattern selects: `them` leaves out names starting with `_`. The pattern is
 * matched with the linear wildcard matcher, not a backtracking RegExp: rule files are untrusted, and
 * `sel*a*a*a*b` against a long identifier takes O(n^k) steps (k stars) in a backtracking engine.
 */
export function selectIdentifiers(pattern: string | null, names: readonly string[]): string[] {
  if (pattern === null) return names.filter((n) => !n.startsWith("_"));
  const parts = pattern.split("*").flatMap((lit, i) => (i === 0 ? [lit] : [ANY, lit]));
  const test = compileStringTest(
    parts.filter((p) => p !== ""),
    true,
  );
  return names.filter((n) => test(n));
}
