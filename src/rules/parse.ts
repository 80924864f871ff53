// Parse pass: a rule's YAML (with positions) → the rule model. Checks the shape only (the schema, a
// CloudTrail logsource, what a search identifier and an item may hold) and reports every shape problem
// of the rule, located; what the values and modifiers mean is the validate pass's business.
import { isScalar, type Node } from "yaml";
import { validatorFor } from "../config/schema.ts";
import { ajvProblems, locate, nodeAt, type ParsedYaml } from "../config/yaml.ts";
import { isPlainObject as isMap, splitPath } from "./fields.ts";
import type {
  ConditionSource,
  DetectionItem,
  ItemValue,
  RuleModel,
  Selection,
  SourcePos,
  YamlPath,
} from "./model.ts";
import type { RuleProblem } from "./types.ts";

const IDENTIFIER = /^[A-Za-z0-9_.-]+$/;

export interface ParseResult {
  model?: RuleModel;
  problems: RuleProblem[];
}

export function parseRule(parsed: ParsedYaml): ParseResult {
  const file = parsed.file;
  const doc = parsed.value;
  const ruleId = isMap(doc) && typeof doc.id === "string" ? doc.id : undefined;
  const ruleTitle = isMap(doc) && typeof doc.title === "string" ? doc.title : undefined;
  const problems: RuleProblem[] = [];
  const problem = (message: string, pos: SourcePos) =>
    problems.push({ file, ...pos, message, ruleId, ruleTitle });
  const at = (path: YamlPath, preferKey = false) => locate(parsed, path, preferKey);
  if (!isMap(doc)) {
    problem("a rule file must hold one rule: a YAML map with title, logsource, detection", at([]));
    return { problems };
  }
  if ("correlation" in doc) {
    problem(
      "a correlation rule refers to other rules: load it with its rule files (rules validate, scan), not alone",
      at(["correlation"], true),
    );
    return { problems };
  }
  if ("filter" in doc && !("detection" in doc)) {
    problem(
      "a Sigma filter applies to other rules: load it with its rule files (rules validate, scan), not alone",
      at(["filter"], true),
    );
    return { problems };
  }
  const validate = validatorFor("rule");
  if (!validate(doc)) {
    return { problems: ajvProblems(parsed, validate.errors).map((p) => ({ ...p, ruleId, ruleTitle })) };
  }
  const logsource = doc.logsource as Record<string, string>;
  const product = logsource.product?.toLowerCase();
  const service = logsource.service?.toLowerCase();
  if (product !== "aws" || (service !== undefined && service !== "cloudtrail")) {
    problem(
      `logsource is not AWS CloudTrail (product: aws, service: cloudtrail); got ${JSON.stringify(logsource)}`,
      at(["logsource"]),
    );
    return { problems };
  }
  const detection = parseDetection(parsed, doc.detection as Record<string, unknown>, problem);
  const model: RuleModel = {
    file,
    pos: at([]),
    id: ruleId ?? (typeof doc.name === "string" ? doc.name : (ruleTitle as string)),
    title: ruleTitle as string,
    status: typeof doc.status === "string" ? doc.status : undefined,
    statusPos: "status" in doc ? at(["status"]) : undefined,
    level: typeof doc.level === "string" ? doc.level : "medium",
    logsource,
    doc,
    detection,
  };
  return { model, problems };
}

type Report = (message: string, pos: SourcePos) => void;

/** The detection section of a rule or a filter as a model; shape problems go to `problem`. */
export function parseDetection(
  parsed: ParsedYaml,
  detection: Record<string, unknown>,
  problem: Report,
  root: YamlPath = ["detection"],
): RuleModel["detection"] {
  const at = (path: YamlPath, preferKey = false) => locate(parsed, path, preferKey);
  if ("timeframe" in detection) {
    problem(
      "unsupported: `timeframe` belongs to the Sigma v1 aggregation syntax, replaced by correlation rules",
      at([...root, "timeframe"], true),
    );
  }
  const selections: Selection[] = [];
  const names = Object.keys(detection).filter((k) => k !== "condition" && k !== "timeframe");
  for (const name of names) {
    const path = [...root, name];
    if (!IDENTIFIER.test(name)) {
      problem(`invalid search identifier "${name}" (letters, digits, _ . - only)`, at(path, true));
      continue;
    }
    const sel = parseSelection(parsed, name, detection[name], path, problem);
    if (sel) selections.push(sel);
  }
  const cond = detection.condition;
  const texts = Array.isArray(cond) ? (cond as string[]) : [cond as string];
  const conditions: ConditionSource[] = texts.map((text, i) => {
    const path: YamlPath = Array.isArray(cond) ? [...root, "condition", i] : [...root, "condition"];
    return { text, pos: at(path), path, inline: inlineStart(parsed, nodeAt(parsed.doc, path).node) };
  });
  return { names, selections, conditions };
}

function parseSelection(
  parsed: ParsedYaml,
  name: string,
  value: unknown,
  path: YamlPath,
  problem: Report,
): Selection | undefined {
  const pos = locate(parsed, path);
  const keyPos = locate(parsed, path, true);
  if (isMap(value)) {
    const items = parseMap(parsed, value, path, problem);
    return items && { name, form: "map", alternatives: [items], pos: keyPos, path };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      problem("a search identifier cannot be an empty list", pos);
      return undefined;
    }
    if (value.every(isMap)) {
      const alternatives = value.map((m, i) =>
        parseMap(parsed, m as Record<string, unknown>, [...path, i], problem),
      );
      if (alternatives.some((a) => a === undefined)) return undefined;
      return { name, form: "maps", alternatives: alternatives as DetectionItem[][], pos: keyPos, path };
    }
    if (value.some((v) => isMap(v) || Array.isArray(v))) {
      problem("a search identifier list must hold either maps or keywords, not both", pos);
      return undefined;
    }
  } else if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    problem("a search identifier must be a map, a list of maps or a list of keywords", pos);
    return undefined;
  }
  const item = parseItem(parsed, "", value, path, path, problem);
  return item && { name, form: "keywords", alternatives: [[item]], pos: keyPos, path };
}

function parseMap(
  parsed: ParsedYaml,
  map: Record<string, unknown>,
  path: YamlPath,
  problem: Report,
): DetectionItem[] | undefined {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    problem("a selection cannot be an empty map", locate(parsed, path));
    return undefined;
  }
  const items = keys.map((k) => parseItem(parsed, k, map[k], [...path, k], [...path, k], problem));
  return items.every((i) => i !== undefined) ? (items as DetectionItem[]) : undefined;
}

function parseItem(
  parsed: ParsedYaml,
  key: string,
  raw: unknown,
  keyPath: YamlPath,
  valuePath: YamlPath,
  problem: Report,
): DetectionItem | undefined {
  const [field, ...mods] = key.split("|");
  const keyword = field === "";
  // A keyword list has no key; `|contains: [...]` in a map is a keyword search with a key.
  const keyPos = key === "" ? locate(parsed, valuePath) : locate(parsed, keyPath, true);
  let ok = true;
  if (!keyword && !/^[^\s]+$/.test(field)) {
    problem(`invalid field name "${field}"`, keyPos);
    ok = false;
  }
  const keyStart = key === "" ? undefined : inlineStart(parsed, nodeAt(parsed.doc, keyPath).keyNode);
  let offset = field.length;
  const modifiers = mods.map((name) => {
    const pos = keyStart ? { line: keyStart.line, column: keyStart.column + offset + 1 } : keyPos;
    offset += name.length + 1;
    return { name, pos };
  });
  const list = Array.isArray(raw);
  const rawValues: unknown[] = list ? (raw as unknown[]) : [raw];
  if (list && rawValues.length === 0) {
    problem("empty value list", locate(parsed, valuePath));
    return undefined;
  }
  const values: ItemValue[] = [];
  rawValues.forEach((v, i) => {
    const path = list ? [...valuePath, i] : valuePath;
    const pos = locate(parsed, path);
    if (v === null && list) {
      problem("null inside a value list: use a separate selection", pos);
      ok = false;
    } else if (v !== null && typeof v === "object") {
      problem("a value must be a string, number, boolean or null", pos);
      ok = false;
    } else if (v === null && keyword) {
      problem("a keyword cannot be null", pos);
      ok = false;
    } else values.push({ value: v as ItemValue["value"], pos, path });
  });
  if (!ok) return undefined;
  return {
    field: keyword ? "" : field,
    path: keyword ? [] : splitPath(field),
    keyword,
    modifiers,
    values,
    list,
    linking: mods.includes("all") ? "and" : "or",
    pos: keyPos,
    keyPath,
    valuePath,
  };
}

/** Where the text of a one-line scalar starts (after its quote), so offsets inside it can be located. */
function inlineStart(parsed: ParsedYaml, node: Node | null): SourcePos | undefined {
  if (!node || !isScalar(node) || !node.range || typeof node.source !== "string") return undefined;
  if (node.source.includes("\n")) return undefined;
  const quoted = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE" ? 1 : 0;
  const pos = parsed.lineCounter.linePos(node.range[0] + quoted);
  return { line: pos.line, column: pos.col };
}
