// Compiles one parsed Sigma rule into a CompiledRule: schema check, search identifiers, condition.
// Every problem is located in the YAML source and names the rule.
import { isScalar } from "yaml";
import { validatorFor } from "../config/schema.ts";
import { ajvProblems, locate, nodeAt, type ParsedYaml } from "../config/yaml.ts";
import { ConditionError, parseCondition } from "./condition.ts";
import { compileEntry, EntryError, type Pin, type RecordTest } from "./entry.ts";
import { buildExplainer, type MatchExplanation } from "./explain.ts";
import { isPlainObject as isMap } from "./fields.ts";
import { resetRecordCache } from "./record-cache.ts";
import {
  andAll,
  type Compiled,
  compileCondition,
  orAll,
  type Path,
  type Pins,
  RuleError,
  specialize,
} from "./tree.ts";
import type { CompiledRule, LoadRulesOptions, RulePins, RuleProblem } from "./types.ts";

/** What the rule compiles to, plus a way to build a test for records the index has already narrowed. */
export interface CompiledDetection extends Compiled {
  specialize(implied: readonly string[]): RecordTest;
  explain(record: Record<string, unknown>): MatchExplanation;
}

export interface CompileResult {
  rule?: CompiledRule;
  problems: RuleProblem[];
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
      problems: [
        problem(
          "a correlation rule refers to other rules: load it with its rule files (rules validate, scan), not alone",
          ["correlation"],
          true,
        ),
      ],
    };
  }
  if ("filter" in doc && !("detection" in doc)) {
    return {
      problems: [
        problem(
          "a Sigma filter applies to other rules: load it with its rule files (rules validate, scan), not alone",
          ["filter"],
          true,
        ),
      ],
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
    const { test, pins, specialize, explain } = compileDetection(
      doc.detection as Record<string, unknown>,
      opts,
    );
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
      explain,
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
export function locateOffset(
  parsed: ParsedYaml,
  path: Path,
  offset: number,
): { line: number; column: number } {
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

export function compileDetection(
  detection: Record<string, unknown>,
  opts: LoadRulesOptions,
): CompiledDetection {
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
  return {
    ...whole,
    specialize: (implied) => specialize(whole, asts, identifiers, names, implied),
    explain: buildExplainer(
      detection,
      identifiers,
      asts.map((a) => a.ast),
    ),
  };
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
