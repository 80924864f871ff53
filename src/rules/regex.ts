// The `re` modifier: patterns run on re2js (linear time, RE2 semantics), so no pattern can hang a
// scan. Most rule regexes contain a literal every match must include (":assumed-role/aws:"); a cheap
// substring check on it skips the regex engine for the many values that cannot match.
import { RE2JS } from "re2js";
import type { StringTest } from "./patterns.ts";

export interface RegexFlags {
  ignoreCase: boolean;
  multiLine: boolean;
  dotAll: boolean;
}

/** Compile a rule regex; throws the engine's syntax error for patterns RE2 cannot run. */
export function compileRegexTest(pattern: string, flags: RegexFlags): StringTest {
  let bits = 0;
  if (flags.ignoreCase) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.multiLine) bits |= RE2JS.MULTILINE;
  if (flags.dotAll) bits |= RE2JS.DOTALL;
  const re = RE2JS.compile(pattern, bits);
  const lit = requiredLiteral(pattern);
  if (lit === undefined) return (s) => re.test(s);
  // Under `i`, RE2's case folding is not toLowerCase (ſ matches s): prefilter only letterless literals.
  if (flags.ignoreCase && /\p{L}/u.test(lit)) return (s) => re.test(s);
  return (s) => s.includes(lit) && re.test(s);
}

const META = new Set(["\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}"]);

/**
 * A literal string every match of `pattern` contains, or undefined when none is evident. Deliberately
 * conservative: any group or alternation gives up; a quantified character, a class, `.`, an anchor or
 * an escape other than an escaped punctuation character ends a run of literal characters.
 */
export function requiredLiteral(pattern: string, minLength = 3): string | undefined {
  if (pattern.includes("|") || pattern.includes("(")) return undefined;
  const runs: string[] = [];
  let run = "";
  const end = () => {
    if (run) runs.push(run);
    run = "";
  };
  let i = 0;
  while (i < pattern.length) {
    let atom: string | undefined; // the literal character, when the atom is one
    const c = pattern[i];
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) return undefined;
      atom = /[A-Za-z0-9]/.test(n) ? undefined : n;
      i += 2;
    } else if (c === "[") {
      const close = findClassEnd(pattern, i);
      if (close < 0) return undefined;
      atom = undefined;
      i = close + 1;
    } else if (META.has(c)) {
      if (c === "*" || c === "+" || c === "?" || c === "{") return undefined; // a quantifier with nothing before it
      atom = undefined;
      i++;
    } else {
      atom = c;
      i++;
    }
    // A following quantifier makes the atom optional or repeated: it does not extend a contiguous run.
    const q = pattern[i];
    if (q === "*" || q === "+" || q === "?" || (q === "{" && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      i = q === "{" ? pattern.indexOf("}", i) + 1 : i + 1;
      if (pattern[i] === "?") i++; // lazy
      end();
      continue;
    }
    if (atom === undefined) end();
    else run += atom;
  }
  end();
  const best = runs.reduce((a, b) => (b.length > a.length ? b : a), "");
  return best.length >= minLength ? best : undefined;
}

function findClassEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === "^") i++;
  if (p[i] === "]") i++;
  for (; i < p.length; i++) {
    if (p[i] === "\\") i++;
    else if (p[i] === "]") return i;
  }
  return -1;
}
