// A rule file as a collection: one or more YAML documents, each a base rule, a correlation or a
// filter (Sigma's multi-document form). Base rules compile as before; correlations are parsed here and
// resolved once every file is loaded (they may refer to rules in other files).
import { validatorFor } from "../../config/schema.ts";
import { ajvProblems, type ParsedYaml } from "../../config/yaml.ts";
import { parseYamlDocuments } from "../../config/yaml-documents.ts";
import { compileRule } from "../compile.ts";
import { isPlainObject } from "../fields.ts";
import { type CompiledFilter, isFilterDocument, parseFilter } from "../filters.ts";
import type { CompiledRule, LoadRulesOptions, RuleProblem } from "../types.ts";
import { isCorrelationDocument, parseCorrelation } from "./parse.ts";
import type { CorrelationDef } from "./types.ts";

export interface RuleDocuments {
  rules: CompiledRule[];
  /** Sigma filters, applied once every rule is loaded. */
  filters: CompiledFilter[];
  correlations: CorrelationDef[];
  /** Base rules' `name` → id, for references by name. */
  names: Map<string, string>;
  problems: RuleProblem[];
}

export function compileRuleDocuments(text: string, file: string, opts: LoadRulesOptions = {}): RuleDocuments {
  const out: RuleDocuments = { rules: [], filters: [], correlations: [], names: new Map(), problems: [] };
  try {
    const { docs, problems } = parseYamlDocuments(text, file);
    out.problems.push(...problems);
    if (docs.length === 0 && problems.length === 0) {
      out.problems.push({ file, line: 1, column: 1, message: "the file holds no rule" });
    }
    for (const parsed of docs) {
      if (parsed.problems.length > 0) continue;
      if (isCorrelationDocument(parsed.value)) {
        const r = parseCorrelation(parsed);
        out.problems.push(...metadataProblems(parsed, CORRELATION_CHECKED), ...r.problems);
        if (r.def) out.correlations.push(r.def);
        continue;
      }
      if (isFilterDocument(parsed.value)) {
        const r = parseFilter(parsed, opts);
        out.problems.push(...metadataProblems(parsed, FILTER_CHECKED), ...r.problems);
        if (r.filter) out.filters.push(r.filter);
        continue;
      }
      const r = compileRule(parsed, opts);
      out.problems.push(...r.problems);
      if (!r.rule) continue;
      out.rules.push(r.rule);
      const v = parsed.value;
      if (isPlainObject(v) && typeof v.name === "string") out.names.set(v.name, r.rule.id);
    }
  } catch (err) {
    // One file the parser or compiler chokes on is one bad file, not the end of loading.
    return {
      rules: [],
      filters: [],
      correlations: [],
      names: new Map(),
      problems: [{ file, line: 1, column: 1, message: `cannot load: ${(err as Error).message}` }],
    };
  }
  return out;
}

/** Top-level keys whose problems the correlation and filter parsers report themselves, in their words. */
const CORRELATION_CHECKED = new Set([
  "correlation",
  "title",
  "id",
  "name",
  "level",
  "detection",
  "logsource",
]);
const FILTER_CHECKED = new Set(["filter", "title", "logsource"]);

/**
 * What schema/rule.schema.json says of a correlation or filter document's other keys (unknown keys,
 * metadata of the wrong type), located: the loader and an editor using the schema agree on them.
 */
function metadataProblems(parsed: ParsedYaml, checked: ReadonlySet<string>): RuleProblem[] {
  const validate = validatorFor("rule");
  if (validate(parsed.value)) return [];
  const doc = parsed.value as Record<string, unknown>;
  const errors = (validate.errors ?? []).filter((e) => {
    const top =
      e.instancePath === ""
        ? e.keyword === "additionalProperties"
          ? (e.params as { additionalProperty: string }).additionalProperty
          : undefined
        : decodeURIComponent(e.instancePath.split("/")[1]).replace(/~1/g, "/").replace(/~0/g, "~");
    return top !== undefined && !checked.has(top);
  });
  const ruleId = typeof doc.id === "string" ? doc.id : undefined;
  const ruleTitle = typeof doc.title === "string" ? doc.title : undefined;
  return ajvProblems(parsed, errors).map((p) => ({ ...p, ruleId, ruleTitle }));
}
