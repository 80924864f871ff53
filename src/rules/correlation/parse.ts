// Parses one correlation document (a YAML document with `correlation:`) into a CorrelationDef.
// Field names follow the Sigma correlation specification and pySigma: type, rules, group-by,
// timespan, condition {gt, gte, lt, lte, eq, neq, field, percentile}, aliases, generate.
// Every problem is located in the source; all problems of the document are reported together.
import { locate, type ParsedYaml } from "../../config/yaml.ts";
import { isPlainObject as isMap } from "../fields.ts";
import type { RuleProblem } from "../types.ts";
import {
  CONDITION_OPERATORS,
  CORRELATION_TYPES,
  type ConditionOperator,
  type CorrelationCondition,
  type CorrelationDef,
  type CorrelationType,
} from "./types.ts";

const CORRELATION_KEYS = new Set([
  "type",
  "rules",
  "group-by",
  "timespan",
  "condition",
  "aliases",
  "generate",
]);
const TIMESPAN = /^([0-9]+)([smhdwMy])$/;
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_629_746_000,
  y: 31_556_952_000,
};
/** A window longer than this cannot be held in memory for every group; refused. */
export const MAX_TIMESPAN_MS = 31 * 86_400_000;
const VALUE_TYPES = new Set<CorrelationType>(["value_count", "value_sum", "value_avg", "value_percentile"]);
const LEVELS = new Set(["informational", "low", "medium", "high", "critical"]);

export function isCorrelationDocument(value: unknown): boolean {
  return isMap(value) && "correlation" in value;
}

export function parseCorrelation(parsed: ParsedYaml): { def?: CorrelationDef; problems: RuleProblem[] } {
  const file = parsed.file;
  const doc = parsed.value as Record<string, unknown>;
  const ruleId = typeof doc.id === "string" ? doc.id : undefined;
  const ruleTitle = typeof doc.title === "string" ? doc.title : undefined;
  const problems: RuleProblem[] = [];
  const problem = (message: string, path: (string | number)[], preferKey = false) => {
    problems.push({ file, ...locate(parsed, path, preferKey), message, ruleId, ruleTitle });
  };
  if (typeof doc.title !== "string" || doc.title === "") problem("a correlation rule needs a title", []);
  if ("id" in doc && typeof doc.id !== "string") problem('"id" must be a string', ["id"]);
  if ("name" in doc && typeof doc.name !== "string") problem('"name" must be a string', ["name"]);
  for (const k of ["detection", "logsource"]) {
    if (k in doc)
      problem(`a correlation rule has no "${k}": put the base rule in its own document`, [k], true);
  }
  if ("level" in doc && !(typeof doc.level === "string" && LEVELS.has(doc.level))) {
    problem(`"level" must be one of ${[...LEVELS].join(", ")}`, ["level"]);
  }
  const c = doc.correlation;
  if (!isMap(c)) {
    problem('"correlation" must be a map with type, rules, timespan (and group-by, condition)', [
      "correlation",
    ]);
    return { problems };
  }
  const at = (...p: (string | number)[]) => ["correlation", ...p];
  for (const k of Object.keys(c)) {
    if (!CORRELATION_KEYS.has(k)) problem(`unknown key "${k}" in correlation`, at(k), true);
  }
  let type: CorrelationType | undefined;
  if (!("type" in c)) problem('correlation needs a "type"', ["correlation"], true);
  else if (!(CORRELATION_TYPES as readonly unknown[]).includes(c.type)) {
    problem(`correlation type must be one of ${CORRELATION_TYPES.join(", ")}`, at("type"));
  } else type = c.type as CorrelationType;

  const rules = stringList(c.rules);
  if (!("rules" in c))
    problem('correlation needs "rules": the ids or names of the rules it correlates', ["correlation"], true);
  else if (!rules || rules.length === 0)
    problem('"rules" must be a rule id or name, or a list of them', at("rules"));
  else {
    const dup = rules.find((r, i) => rules.indexOf(r) !== i);
    if (dup !== undefined) problem(`rule "${dup}" is listed twice`, at("rules"));
  }
  const rulePositions = (rules ?? []).map((_, i) =>
    locate(parsed, Array.isArray(c.rules) ? at("rules", i) : at("rules")),
  );

  let groupBy: string[] = [];
  if ("group-by" in c) {
    const g = stringList(c["group-by"]);
    if (!g) problem('"group-by" must be a field name or a list of them', at("group-by"));
    else groupBy = g;
  }

  let timespanMs = 0;
  const ts = c.timespan;
  if (!("timespan" in c))
    problem('correlation needs a "timespan" (for example 5m, 1h)', ["correlation"], true);
  else {
    const m = typeof ts === "string" ? TIMESPAN.exec(ts) : null;
    if (!m)
      problem(
        '"timespan" must be a number and a unit: s, m, h, d, w, M or y (for example 90m)',
        at("timespan"),
      );
    else {
      timespanMs = Number(m[1]) * UNIT_MS[m[2]];
      if (timespanMs <= 0) problem('"timespan" must be greater than zero', at("timespan"));
      else if (timespanMs > MAX_TIMESPAN_MS) problem('"timespan" is longer than 31 days', at("timespan"));
    }
  }

  let generate = false;
  if ("generate" in c) {
    if (typeof c.generate !== "boolean") problem('"generate" must be true or false', at("generate"));
    else generate = c.generate;
  }

  const aliases: Record<string, Record<string, string>> = {};
  if ("aliases" in c) {
    if (!isMap(c.aliases)) problem('"aliases" must map an alias to {rule name: field}', at("aliases"));
    else {
      for (const [alias, mapping] of Object.entries(c.aliases)) {
        if (!isMap(mapping) || !Object.values(mapping).every((v) => typeof v === "string" && v !== "")) {
          problem(`alias "${alias}" must map rule names to field names`, at("aliases", alias));
          continue;
        }
        aliases[alias] = mapping as Record<string, string>;
      }
    }
  }

  const condition = parseCondition(c, type, rules?.length ?? 0, problem, at);
  if (problems.length > 0 || !type || !rules || !condition) return { problems };
  const fp = doc.falsepositives;
  const def: CorrelationDef = {
    id: ruleId ?? (typeof doc.name === "string" ? doc.name : (ruleTitle as string)),
    name: typeof doc.name === "string" ? doc.name : undefined,
    title: ruleTitle as string,
    level: typeof doc.level === "string" ? doc.level : "medium",
    tags: Array.isArray(doc.tags) ? doc.tags.filter((t): t is string => typeof t === "string") : [],
    description: typeof doc.description === "string" ? doc.description : undefined,
    falsepositives: typeof fp === "string" ? [fp] : Array.isArray(fp) ? fp.map(String) : undefined,
    references: Array.isArray(doc.references) ? doc.references.map(String) : undefined,
    status: typeof doc.status === "string" ? doc.status : undefined,
    author: typeof doc.author === "string" ? doc.author : undefined,
    type,
    rules,
    groupBy,
    timespanMs,
    timespan: ts as string,
    condition,
    aliases,
    generate,
    file,
    ...locate(parsed, []),
    rulePositions,
  };
  return { def, problems };
}

function parseCondition(
  c: Record<string, unknown>,
  type: CorrelationType | undefined,
  ruleCount: number,
  problem: (message: string, path: (string | number)[], preferKey?: boolean) => void,
  at: (...p: (string | number)[]) => (string | number)[],
): CorrelationCondition | undefined {
  const temporal = type === "temporal" || type === "temporal_ordered";
  if (!("condition" in c)) {
    // The spec's default for temporal types: every referenced rule in the window.
    if (temporal) return { ops: [{ op: "gte", value: ruleCount }] };
    if (type)
      problem(`a ${type} correlation needs a "condition" (for example gte: 10)`, ["correlation"], true);
    return undefined;
  }
  const cond = c.condition;
  if (typeof cond === "string") {
    problem(
      "unsupported: extended (string) correlation conditions; use gt/gte/lt/lte/eq/neq",
      at("condition"),
    );
    return undefined;
  }
  if (!isMap(cond)) {
    problem('"condition" must be a map such as {gte: 10}', at("condition"));
    return undefined;
  }
  const out: CorrelationCondition = { ops: [] };
  let ok = true;
  for (const [k, v] of Object.entries(cond)) {
    if ((CONDITION_OPERATORS as readonly string[]).includes(k)) {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        problem(`condition "${k}" must be a number`, at("condition", k));
        ok = false;
      } else out.ops.push({ op: k as ConditionOperator, value: v });
    } else if (k === "field") {
      if (typeof v !== "string" || v === "") {
        problem('condition "field" must be a field name', at("condition", k));
        ok = false;
      } else out.field = v;
    } else if (k === "percentile") {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 100) {
        problem('condition "percentile" must be an integer from 1 to 100', at("condition", k));
        ok = false;
      } else out.percentile = v;
    } else {
      problem(
        `unknown key "${k}" in condition (gt, gte, lt, lte, eq, neq, field, percentile)`,
        at("condition", k),
        true,
      );
      ok = false;
    }
  }
  if (out.ops.length === 0 && ok) {
    problem("condition needs at least one of gt, gte, lt, lte, eq, neq", at("condition"), true);
    ok = false;
  }
  if (type && VALUE_TYPES.has(type) && !out.field && !("field" in cond)) {
    problem(`a ${type} correlation needs the condition's "field"`, at("condition"), true);
    ok = false;
  }
  if (type && !VALUE_TYPES.has(type) && out.field) {
    problem(
      `"field" belongs to value_count, value_sum, value_avg and value_percentile, not ${type}`,
      at("condition", "field"),
      true,
    );
    ok = false;
  }
  if (type === "value_percentile" && out.percentile === undefined && !("percentile" in cond)) {
    problem('a value_percentile correlation needs the condition\'s "percentile"', at("condition"), true);
    ok = false;
  }
  if (type !== "value_percentile" && out.percentile !== undefined) {
    problem('"percentile" belongs to value_percentile', at("condition", "percentile"), true);
    ok = false;
  }
  return ok ? out : undefined;
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === "string" && v !== "") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x !== ""))
    return v as string[];
  return undefined;
}
