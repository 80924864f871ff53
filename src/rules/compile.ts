// Compiles one parsed Sigma rule into a CompiledRule: schema check, search identifiers, condition.
// Every problem is located in the YAML source and names the rule.
import { isScalar } from "yaml";
import { validatorFor } from "../config/schema.ts";
import { ajvProblems, locate, nodeAt, type ParsedYaml } from "../config/yaml.ts";
import { ConditionError, type CondNode, parseCondition, selectIdentifiers } from "./condition.ts";
import { compileEntry, EntryError, type Pin, type RecordTest } from "./entry.ts";
import { resetRecordCache } from "./record-cache.ts";
import type { CompiledRule, LoadRulesOptions, RulePins, RuleProblem } from "./types.ts";

type Path = (string | number)[];

/** A compile problem before it is located: a YAML path, and optionally a character offset in that scalar. */
class RuleError extends Error {
  constructor(
    message: string,
    readonly path: Path,
    readonly preferKey = false,
    readonly offset?: number,
  ) {
    super(message);
  }
}

type Pins = Map<string, Set<string>>;

interface Compiled {
  test: RecordTest;
  pins: Pins;
  /** For a search identifier that is one map: its entries, so the index can drop the ones it implies. */
  entries?: Compiled[];
}

const ALWAYS: Compiled = { test: () => true, pins: new Map() };

/** What the rule compiles to, plus a way to build a test for records the index has already narrowed. */
interface CompiledDetection extends Compiled {
  specialize(implied: readonly string[]): RecordTest;
}

export interface CompileResult {
  rule?: CompiledRule;
  problems: RuleProblem[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function compileRule(parsed: ParsedYaml, opts: LoadRulesOptions = {}): CompileResult {
  const file = parsed.file;
  const doc = parsed.value;
  const ruleId = isMap(doc) && typeof doc.id === "string" ? doc.id : undefined;
  const ruleTitle = isMap(doc) && typeof doc.title === "string" ? doc.title : undefined;
  const problem = (message: string, path: Path, preferKey = false, offset?: number): RuleProblem => {
    const pos = offset === undefined ? locate(parsed, path, preferKey) : locateOffset(parsed, path, offset);
    return { file, ...pos, message, ruleId, ruleTitle };
  };
  if (!isMap(doc))
    return {
      problems: [problem("a rule file must hold one rule: a YAML map with title, logsource, detection", [])],
    };
  if ("correlation" in doc) {
    return {
      problems: [problem("unsupported: correlation rules are not supported yet", ["correlation"], true)],
    };
  }
  if ("filter" in doc && !("detection" in doc)) {
    return {
      problems: [problem("unsupported: Sigma filters (meta filters) are not supported", ["filter"], true)],
    };
  }
  const validate = validatorFor("rule");
  if (!validate(doc)) {
    return { problems: ajvProblems(parsed, validate.errors).map((p) => ({ ...p, ruleId, ruleTitle })) };
  }
  const logsource = doc.logsource as Record<string, string>;
  const product = logsource.product?.toLowerCase();
  const service = logsource.service?.toLowerCase();
  if (product !== "aws" || (service !== undefined && service !== "cloudtrail")) {
    return {
      problems: [
        problem(
          `logsource is not AWS CloudTrail (product: aws, service: cloudtrail); got ${JSON.stringify(logsource)}`,
          ["logsource"],
        ),
      ],
    };
  }
  try {
    const { test, pins, specialize } = compileDetection(doc.detection as Record<string, unknown>, opts);
    const falsepositives = doc.falsepositives;
    const rule: CompiledRule = {
      id: ruleId ?? (typeof doc.name === "string" ? doc.name : (ruleTitle as string)),
      title: ruleTitle as string,
      level: typeof doc.level === "string" ? doc.level : "medium",
      tags: Array.isArray(doc.tags) ? (doc.tags as string[]) : [],
      description: doc.description as string | undefined,
      falsepositives:
        typeof falsepositives === "string" ? [falsepositives] : (falsepositives as string[] | undefined),
      status: doc.status as string | undefined,
      author: doc.author as string | undefined,
      references: doc.references as string[] | undefined,
      logsource,
      file,
      ...locate(parsed, []),
      pins: toRulePins(pins),
      test,
      specialize,
      matches(record) {
        resetRecordCache();
        return test(record);
      },
    };
    return { rule, problems: [] };
  } catch (err) {
    if (err instanceof RuleError)
      return { problems: [problem(err.message, err.path, err.preferKey, err.offset)] };
    throw err;
  }
}

function toRulePins(pins: Pins): RulePins {
  const out: RulePins = {};
  const name = pins.get("eventName");
  const source = pins.get("eventSource");
  if (name) out.eventName = name;
  if (source) out.eventSource = source;
  return out;
}

/** Position of character `offset` inside a one-line scalar (plain or quoted); else the scalar's start. */
function locateOffset(parsed: ParsedYaml, path: Path, offset: number): { line: number; column: number } {
  const { node } = nodeAt(parsed.doc, path);
  if (
    node &&
    isScalar(node) &&
    node.range &&
    typeof node.source === "string" &&
    !node.source.includes("\n")
  ) {
    const quoted = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE" ? 1 : 0;
    const pos = parsed.lineCounter.linePos(node.range[0] + quoted + offset);
    return { line: pos.line, column: pos.col };
  }
  return locate(parsed, path);
}

const IDENTIFIER = /^[A-Za-z0-9_.-]+$/;

function compileDetection(detection: Record<string, unknown>, opts: LoadRulesOptions): CompiledDetection {
  const placeholders = opts.placeholders ?? {};
  if ("timeframe" in detection) {
    throw new RuleError(
      "unsupported: `timeframe` belongs to the Sigma v1 aggregation syntax, replaced by correlation rules",
      ["detection", "timeframe"],
      true,
    );
  }
  const names = Object.keys(detection).filter((k) => k !== "condition");
  const identifiers = new Map<string, Compiled>();
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      throw new RuleError(
        `invalid search identifier "${name}" (letters, digits, _ . - only)`,
        ["detection", name],
        true,
      );
    }
    identifiers.set(name, compileIdentifier(detection[name], ["detection", name], placeholders));
  }
  const cond = detection.condition;
  const conditions = Array.isArray(cond) ? (cond as string[]) : [cond as string];
  const asts = conditions.map((src, i) => {
    const path: Path = Array.isArray(cond) ? ["detection", "condition", i] : ["detection", "condition"];
    try {
      return { ast: parseCondition(src), path };
    } catch (err) {
      if (err instanceof ConditionError) {
        throw new RuleError(`condition: ${err.message}`, path, false, err.offset);
      }
      throw err;
    }
  });
  const compiled = asts.map(({ ast, path }) => compileCondition(ast, identifiers, names, path));
  const whole = compiled.length === 1 ? compiled[0] : orAll(compiled);
  return { ...whole, specialize: (implied) => specialize(whole, asts, identifiers, names, implied) };
}

/**
 * The rule's test for records whose eventName / eventSource the index has already checked: an entry
 * on such a field, in a selection that the whole condition ANDs with the rest, is then known to hold
 * when its values include every value the rule pins. Dropping it saves a comparison per rule per record.
 */
function specialize(
  whole: Compiled,
  asts: { ast: CondNode; path: Path }[],
  ids: Map<string, Compiled>,
  names: string[],
  implied: readonly string[],
): RecordTest {
  if (asts.length !== 1) return whole.test;
  const overrides = new Map<CondNode, Compiled>();
  for (const node of conjuncts(asts[0].ast)) {
    if (node.kind !== "id") continue;
    const entries = ids.get(node.name)?.entries;
    if (!entries) continue;
    const kept = entries.filter((e) => !impliedEntry(e, whole.pins, implied));
    if (kept.length < entries.length) overrides.set(node, kept.length ? andAll(kept) : ALWAYS);
  }
  if (overrides.size === 0) return whole.test;
  return compileCondition(asts[0].ast, ids, names, asts[0].path, overrides).test;
}

function impliedEntry(entry: Compiled, rulePins: Pins, implied: readonly string[]): boolean {
  if (entry.pins.size !== 1) return false;
  const [[field, values]] = [...entry.pins];
  const ruleValues = rulePins.get(field);
  return implied.includes(field) && ruleValues !== undefined && [...ruleValues].every((v) => values.has(v));
}

/** The operands of the top-level chain of `and`. */
function conjuncts(node: CondNode): CondNode[] {
  return node.kind === "and" ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];
}

function compileIdentifier(value: unknown, path: Path, placeholders: Record<string, string[]>): Compiled {
  if (isMap(value)) return compileMap(value, path, placeholders);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleError("a search identifier cannot be an empty list", path);
    if (value.every(isMap)) {
      return orAll(value.map((m, i) => compileMap(m as Record<string, unknown>, [...path, i], placeholders)));
    }
    if (value.some((v) => isMap(v) || Array.isArray(v))) {
      throw new RuleError("a search identifier list must hold either maps or keywords, not both", path);
    }
    return compileEntryAt("", value, path, path, placeholders);
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return compileEntryAt("", value, path, path, placeholders);
  }
  throw new RuleError("a search identifier must be a map, a list of maps or a list of keywords", path);
}

function compileMap(
  map: Record<string, unknown>,
  path: Path,
  placeholders: Record<string, string[]>,
): Compiled {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new RuleError("a selection cannot be an empty map", path);
  const entries = keys.map((k) => compileEntryAt(k, map[k], [...path, k], [...path, k], placeholders));
  return { ...andAll(entries), entries };
}

function compileEntryAt(
  key: string,
  value: unknown,
  keyPath: Path,
  valuePath: Path,
  placeholders: Record<string, string[]>,
): Compiled {
  try {
    const entry = compileEntry(key, value, { placeholders });
    return { test: entry.test, pins: pinsOf(entry.pin) };
  } catch (err) {
    if (!(err instanceof EntryError)) throw err;
    if (err.at === "key") throw new RuleError(err.message, keyPath, true);
    if (err.at === "value") throw new RuleError(err.message, valuePath);
    throw new RuleError(err.message, [...valuePath, err.at]);
  }
}

function pinsOf(pin: Pin | undefined): Pins {
  const m: Pins = new Map();
  if (pin) m.set(pin.field, pin.values);
  return m;
}

function andAll(all: Compiled[]): Compiled {
  const parts = all.filter((p) => p !== ALWAYS);
  if (parts.length === 0) return ALWAYS;
  if (parts.length === 1) return { test: parts[0].test, pins: parts[0].pins };
  const tests = parts.map((p) => p.test);
  const pins: Pins = new Map();
  for (const p of parts) {
    for (const [field, values] of p.pins) {
      const prev = pins.get(field);
      pins.set(field, prev ? new Set([...prev].filter((v) => values.has(v))) : values);
    }
  }
  return {
    test: (r) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i](r)) return false;
      return true;
    },
    pins,
  };
}

function orAll(parts: Compiled[]): Compiled {
  if (parts.length === 1) return parts[0];
  const tests = parts.map((p) => p.test);
  const pins: Pins = new Map();
  for (const field of parts[0].pins.keys()) {
    if (parts.every((p) => p.pins.has(field))) {
      pins.set(field, new Set(parts.flatMap((p) => [...p.pins.get(field)!])));
    }
  }
  return {
    test: (r) => {
      for (let i = 0; i < tests.length; i++) if (tests[i](r)) return true;
      return false;
    },
    pins,
  };
}

function compileCondition(
  node: CondNode,
  ids: Map<string, Compiled>,
  names: string[],
  path: Path,
  overrides?: Map<CondNode, Compiled>,
): Compiled {
  const sub = (n: CondNode) => compileCondition(n, ids, names, path, overrides);
  const override = overrides?.get(node);
  if (override) return override;
  switch (node.kind) {
    case "id": {
      const c = ids.get(node.name);
      if (!c)
        throw new RuleError(
          `condition: undefined search identifier "${node.name}"`,
          path,
          false,
          node.offset,
        );
      return c;
    }
    case "and":
      return andAll([sub(node.left), sub(node.right)]);
    case "or":
      return orAll([sub(node.left), sub(node.right)]);
    case "not": {
      const inner = sub(node.operand).test;
      return { test: (r) => !inner(r), pins: new Map() };
    }
    case "of": {
      const selected = selectIdentifiers(node.pattern, names);
      if (selected.length === 0) {
        const what = node.pattern === null ? "them (no search identifier)" : `"${node.pattern}"`;
        throw new RuleError(`condition: ${what} matches no search identifier`, path, false, node.offset);
      }
      const parts = selected.map((n) => ids.get(n)!);
      return node.quantifier === "all" ? andAll(parts) : orAll(parts);
    }
  }
}
