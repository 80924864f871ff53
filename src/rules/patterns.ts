// Sigma string values: parsing wildcards and escapes (specification v2, "Escaping"), and turning a
// parsed value into a compiled string test. Matching is case-insensitive unless `cased` is asked for.

/** A parsed value: literal text, `*` (any run), `?` (one character) or a `%placeholder%`. */
export type Part = string | Wildcard | Placeholder;
export interface Wildcard {
  readonly wild: "*" | "?";
}
export interface Placeholder {
  readonly placeholder: string;
}

export const ANY: Wildcard = Object.freeze({ wild: "*" });
export const ONE: Wildcard = Object.freeze({ wild: "?" });

export function isPlaceholder(p: Part): p is Placeholder {
  return typeof p === "object" && "placeholder" in p;
}

/**
 * Parse a rule value. `\` escapes `*`, `?` and `\` (and `%` when placeholders are on); a backslash
 * before any other character is a plain backslash, so `C:\Windows` needs no doubling.
 */
export function parseSigmaString(raw: string, placeholders = false): Part[] {
  const parts: Part[] = [];
  let lit = "";
  const flush = () => {
    if (lit) parts.push(lit);
    lit = "";
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") {
      const n = raw[i + 1];
      if (n === "*" || n === "?" || n === "\\" || (placeholders && n === "%")) {
        lit += n;
        i++;
      } else {
        lit += c;
      }
    } else if (c === "*" || c === "?") {
      flush();
      parts.push(c === "*" ? ANY : ONE);
    } else if (placeholders && c === "%") {
      const end = raw.indexOf("%", i + 1);
      const name = end > i + 1 ? raw.slice(i + 1, end) : "";
      if (name && /^[A-Za-z0-9_.-]+$/.test(name)) {
        flush();
        parts.push({ placeholder: name });
        i = end;
      } else {
        lit += c;
      }
    } else {
      lit += c;
    }
  }
  flush();
  return parts;
}

/** The literal text of a value without wildcards, or undefined when it has any. */
export function literalOf(parts: readonly Part[]): string | undefined {
  let s = "";
  for (const p of parts) {
    if (typeof p !== "string") return undefined;
    s += p;
  }
  return s;
}

/** Merge adjacent literals and runs of `*`, lowercasing literals when matching ignores case. */
function normalize(parts: readonly Part[], cased: boolean): (string | Wildcard)[] {
  const out: (string | Wildcard)[] = [];
  for (const p of parts) {
    if (isPlaceholder(p)) throw new Error(`unresolved placeholder %${p.placeholder}%`);
    const last = out[out.length - 1];
    if (typeof p === "string") {
      const t = cased ? p : p.toLowerCase();
      if (typeof last === "string") out[out.length - 1] = last + t;
      else out.push(t);
    } else if (p === ANY && last === ANY) {
      // `**` is `*`
    } else {
      out.push(p);
    }
  }
  return out;
}

export type StringTest = (s: string) => boolean;

// Field values repeat across records (user agents, ARNs, event sources), and many rules lowercase the
// same value: keep recent lowercased short strings instead of allocating a new one per rule per record.
const LOWER_CACHE_LIMIT = 8192;
const LOWER_CACHE_MAX_LENGTH = 512;
const lowered = new Map<string, string>();

let lastIn = "";
let lastOut = "";

export function toLowerCached(s: string): string {
  // Several rules in a row usually look at the same value of the same record.
  if (s === lastIn) return lastOut;
  lastIn = s;
  lastOut = lowerOf(s);
  return lastOut;
}

function lowerOf(s: string): string {
  if (s.length > LOWER_CACHE_MAX_LENGTH) return s.toLowerCase();
  let l = lowered.get(s);
  if (l === undefined) {
    l = s.toLowerCase();
    if (lowered.size >= LOWER_CACHE_LIMIT) lowered.clear();
    lowered.set(s, l);
  }
  return l;
}

/**
 * Compare `s[start .. start + lit.length)` with a lowercase literal, folding ASCII capitals on the way.
 * Returns undefined when that part of `s` holds a non-ASCII character: the caller then lowercases the
 * whole string, which is exact for every script. Most CloudTrail values are ASCII, so this rarely
 * allocates.
 */
function asciiFoldedAt(s: string, start: number, lit: string): boolean | undefined {
  let equal = true;
  for (let i = 0; i < lit.length; i++) {
    const a = s.charCodeAt(start + i);
    if (a > 127) return undefined;
    const b = lit.charCodeAt(i);
    if (equal && a !== b && !(a >= 65 && a <= 90 && a + 32 === b)) equal = false;
  }
  return equal;
}

/** Compile a parsed value into a test on a field's string form. */
export function compileStringTest(parts: readonly Part[], cased: boolean): StringTest {
  const n = normalize(parts, cased);
  const fold = cased ? (s: string) => s : toLowerCached;
  if (n.length === 0) return (s) => s.length === 0;
  if (n.length === 1 && typeof n[0] === "string") {
    const lit = n[0];
    if (cased) return (s) => s === lit;
    return (s) => {
      if (s === lit) return true;
      if (s.length === lit.length) return asciiFoldedAt(s, 0, lit) ?? toLowerCached(s) === lit;
      // Lowercasing only lengthens a string at U+0130 (İ); otherwise different lengths never match.
      return s.length < lit.length && s.includes("\u0130") && toLowerCached(s) === lit;
    };
  }
  if (n.length === 1 && n[0] === ANY) return () => true;
  const onlyStars = n.every((p) => typeof p === "string" || p === ANY);
  if (onlyStars && n.length === 2) {
    if (n[1] === ANY) {
      const lit = n[0] as string;
      if (cased) return (s) => s.startsWith(lit);
      return (s) =>
        (s.length >= lit.length ? asciiFoldedAt(s, 0, lit) : s.includes("\u0130") ? undefined : false) ??
        toLowerCached(s).startsWith(lit);
    }
    const lit = n[1] as string;
    if (cased) return (s) => s.endsWith(lit);
    return (s) =>
      (s.length >= lit.length
        ? asciiFoldedAt(s, s.length - lit.length, lit)
        : s.includes("\u0130")
          ? undefined
          : false) ?? toLowerCached(s).endsWith(lit);
  }
  if (onlyStars && n.length === 3 && n[0] === ANY && n[2] === ANY) {
    const lit = n[1] as string;
    return (s) => fold(s).includes(lit);
  }
  const tokens = n.map((p) => (typeof p === "string" ? p : p.wild));
  const kinds = n.map((p) => (typeof p === "string" ? 0 : p === ANY ? 1 : 2));
  return (s) => globMatch(kinds, tokens, fold(s));
}

/**
 * Wildcard match without backtracking blow-up: on a mismatch only the most recent `*` is retried,
 * one position further. Worst case O(pattern × text).
 */
function globMatch(kinds: number[], tokens: string[], s: string): boolean {
  let ti = 0; // token index
  let off = 0; // offset inside a literal token
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length) {
    if (ti < kinds.length) {
      const k = kinds[ti];
      if (k === 1) {
        starTi = ti;
        starSi = si;
        ti++;
        off = 0;
        continue;
      }
      if (k === 2) {
        si++;
        ti++;
        continue;
      }
      if (tokens[ti][off] === s[si]) {
        si++;
        off++;
        if (off === tokens[ti].length) {
          ti++;
          off = 0;
        }
        continue;
      }
    }
    if (starTi < 0) return false;
    ti = starTi + 1;
    off = 0;
    starSi++;
    si = starSi;
  }
  if (off !== 0) return false;
  while (ti < kinds.length && kinds[ti] === 1) ti++;
  return ti === kinds.length;
}
