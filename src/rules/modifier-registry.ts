// The value modifiers of Sigma v2, each declaring the kinds of value it accepts and what it turns them
// into (as pySigma's modifiers do with the type annotations of `modify`). A chain `field|a|b|c` is
// valid when each modifier, in the order written, accepts what the one before produced; so which
// modifiers combine follows from the declarations, not from lists of allowed pairs.
import { parseCidr } from "./ip.ts";
import type { DetectionItem, SourcePos } from "./model.ts";
import { TRANSFORMATIONS, type Transformation } from "./modifiers.ts";

/**
 * What a value is at one step of a chain. The rule gives text, a number or a boolean; modifiers make
 * the rest: bytes (utf16 encodings), a pattern (contains/startswith/endswith), a regex, a numeric bound,
 * an IP range, a presence test, or a reference to another field.
 */
export type ValueKind =
  | "text"
  | "number"
  | "boolean"
  | "bytes"
  | "pattern"
  | "regex"
  | "number-bound"
  | "ip-range"
  | "presence"
  | "field-ref";

export type ModifierRole = "comparison" | "transform" | "flag" | "linking";

export interface ModifierSpec {
  readonly name: string;
  /**
   * comparison: how the value is compared (at most one follows from the kinds); transform: rewrites
   * the value into variants; flag: adjusts a comparison; linking: how a list of values combines.
   */
  readonly role: ModifierRole;
  /** Accepted kind → produced kind. A kind not listed is refused. */
  readonly signature: Readonly<Partial<Record<ValueKind, ValueKind>>>;
  /** Needs a field (refused on a keyword search). */
  readonly needsField?: boolean;
  /** May be written more than once (transformations compose). */
  readonly repeatable?: boolean;
  /** Takes one value and no other modifier. */
  readonly alone?: boolean;
  /** A check of each rule value (after the kinds allow it); a message when it is refused. */
  readonly checkValue?: (value: string | number | boolean) => string | undefined;
  /** Added to a refusal: how the modifier is meant to be used. */
  readonly hint?: string;
  /** For a transform: how it turns a value into the variants to look for. */
  readonly transform?: Transformation;
}

const SCALAR_AS_TEXT = { text: "text", number: "text", boolean: "text" } as const;

function same(...kinds: ValueKind[]): Partial<Record<ValueKind, ValueKind>> {
  return Object.fromEntries(kinds.map((k) => [k, k]));
}

function toNumber(v: string | number | boolean): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const textLike = { text: "pattern", number: "pattern", bytes: "pattern", "field-ref": "field-ref" } as const;

function comparison(name: string): ModifierSpec {
  return { name, role: "comparison", signature: textLike };
}

function numeric(name: string): ModifierSpec {
  return {
    name,
    role: "comparison",
    signature: { number: "number-bound", text: "number-bound" },
    needsField: true,
    checkValue: (v) => (toNumber(v) === undefined ? `"${name}" takes a number` : undefined),
  };
}

function regexFlag(name: string, what: string): ModifierSpec {
  return {
    name,
    role: "flag",
    signature: same("regex"),
    hint: `it is a flag of "re" (${what}) and is written after it`,
  };
}

function encoding(name: "utf16le" | "utf16be" | "utf16" | "wide"): ModifierSpec {
  return {
    name,
    role: "transform",
    signature: { text: "bytes", number: "bytes" },
    transform: TRANSFORMATIONS[name],
  };
}

const SPECS: ModifierSpec[] = [
  comparison("contains"),
  comparison("startswith"),
  comparison("endswith"),
  {
    name: "re",
    role: "comparison",
    signature: { text: "regex" },
    checkValue: (v) => (typeof v === "string" ? undefined : '"re" needs a string pattern'),
  },
  regexFlag("i", "case-insensitive"),
  regexFlag("m", "multi-line"),
  regexFlag("s", "dot matches newline"),
  {
    name: "cidr",
    role: "comparison",
    signature: { text: "ip-range" },
    needsField: true,
    checkValue: (v) => (typeof v === "string" && parseCidr(v) ? undefined : `invalid CIDR "${String(v)}"`),
  },
  {
    name: "exists",
    role: "comparison",
    signature: { boolean: "presence" },
    needsField: true,
    alone: true,
    hint: "it takes true or false",
  },
  numeric("lt"),
  numeric("lte"),
  numeric("gt"),
  numeric("gte"),
  {
    name: "fieldref",
    role: "comparison",
    signature: { text: "field-ref" },
    needsField: true,
    checkValue: (v) => (typeof v === "string" && v !== "" ? undefined : '"fieldref" takes a field name'),
  },
  {
    name: "windash",
    role: "transform",
    signature: { ...SCALAR_AS_TEXT, pattern: "pattern" },
    repeatable: true,
    transform: TRANSFORMATIONS.windash,
  },
  {
    name: "base64",
    role: "transform",
    signature: { text: "text", number: "text", bytes: "text" },
    repeatable: true,
    transform: TRANSFORMATIONS.base64,
  },
  {
    name: "base64offset",
    role: "transform",
    signature: { text: "text", number: "text", bytes: "text" },
    repeatable: true,
    transform: TRANSFORMATIONS.base64offset,
  },
  encoding("utf16le"),
  encoding("utf16be"),
  encoding("utf16"),
  encoding("wide"),
  {
    name: "expand",
    role: "transform",
    signature: { text: "text", pattern: "pattern" },
    repeatable: true,
    transform: TRANSFORMATIONS.expand,
  },
  {
    name: "cased",
    role: "flag",
    signature: same("text", "number", "pattern", "bytes", "field-ref"),
    hint: 'for a case-sensitive regex, leave out "i"',
  },
  {
    name: "neq",
    role: "flag",
    signature: same("text", "number", "boolean", "pattern", "bytes", "regex", "ip-range", "field-ref"),
    needsField: true,
  },
  {
    name: "all",
    role: "linking",
    signature: same(
      "text",
      "number",
      "boolean",
      "pattern",
      "bytes",
      "regex",
      "number-bound",
      "ip-range",
      "field-ref",
    ),
  },
];

export const MODIFIERS: ReadonlyMap<string, ModifierSpec> = new Map(SPECS.map((s) => [s.name, s]));

/** In the specification but not implemented here; named so the error says "unsupported", not "unknown". */
export const UNSUPPORTED_MODIFIERS: ReadonlySet<string> = new Set([
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "year",
]);

const KIND_NAMES: Record<ValueKind, string> = {
  text: "text",
  number: "a number",
  boolean: "a boolean",
  bytes: "bytes",
  pattern: "a pattern",
  regex: "a regex",
  "number-bound": "a numeric bound",
  "ip-range": "an IP range",
  presence: "a presence test",
  "field-ref": "a field reference",
};

export function describeKind(k: ValueKind): string {
  return KIND_NAMES[k];
}

function listKinds(kinds: ValueKind[]): string {
  const names = kinds.map(describeKind);
  return names.length <= 1 ? (names[0] ?? "nothing") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** The kind a rule value starts as. */
export function kindOfValue(v: string | number | boolean): ValueKind {
  return typeof v === "string" ? "text" : typeof v === "number" ? "number" : "boolean";
}

export interface ChainProblem {
  message: string;
  pos: SourcePos;
}

/**
 * Checks an item's modifier chain against the declarations: known modifiers, each accepting what the
 * previous one produced (for each kind of value the item holds), field-only modifiers on a field, no
 * repeats of a non-repeatable one. Every problem is reported once, at the modifier it concerns.
 */
export function checkChain(item: DetectionItem): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const known = item.modifiers.filter((m) => {
    if (UNSUPPORTED_MODIFIERS.has(m.name))
      problems.push({ message: `modifier "${m.name}" is unsupported`, pos: m.pos });
    else if (!MODIFIERS.has(m.name)) problems.push({ message: `unknown modifier "${m.name}"`, pos: m.pos });
    else return true;
    return false;
  });
  const seen = new Set<string>();
  for (const m of known) {
    const spec = MODIFIERS.get(m.name)!;
    if (seen.has(m.name) && !spec.repeatable)
      problems.push({ message: `modifier "${m.name}" is given twice`, pos: m.pos });
    seen.add(m.name);
    if (spec.needsField && item.keyword) problems.push({ message: `"${m.name}" needs a field`, pos: m.pos });
    if (spec.alone && item.modifiers.length > 1) {
      problems.push({ message: `"${m.name}" cannot be combined with other modifiers`, pos: m.pos });
    }
  }
  if (problems.length > 0) return problems;
  const startKinds = new Set(
    item.values.filter((v) => v.value !== null).map((v) => kindOfValue(v.value as string | number | boolean)),
  );
  const reported = new Set<string>();
  for (const start of startKinds) {
    let kind: ValueKind = start;
    let previous: string | undefined;
    for (const m of known) {
      const spec = MODIFIERS.get(m.name)!;
      const out = spec.signature[kind];
      if (out === undefined) {
        if (!reported.has(m.name)) {
          reported.add(m.name);
          const accepts = Object.keys(spec.signature) as ValueKind[];
          const from = previous ? ` (what "${previous}" gives)` : "";
          problems.push({
            message: `modifier "${m.name}" takes ${listKinds(accepts)}, not ${describeKind(kind)}${from}${spec.hint ? `: ${spec.hint}` : ""}`,
            pos: m.pos,
          });
        }
        break;
      }
      kind = out;
      previous = m.name;
    }
  }
  return problems;
}

/** The item's comparison modifier (the one with role "comparison"), if any. */
export function comparisonOf(item: DetectionItem): string | undefined {
  return item.modifiers.find((m) => MODIFIERS.get(m.name)?.role === "comparison")?.name;
}
