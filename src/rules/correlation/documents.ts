// A rule file as a collection: one or more YAML documents, each a base rule, a correlation or a
// filter (Sigma's multi-document form). Base rules compile as before; correlations are parsed here and
// resolved once every file is loaded (they may refer to rules in other files).
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
        out.problems.push(...r.problems);
        if (r.def) out.correlations.push(r.def);
        continue;
      }
      if (isFilterDocument(parsed.value)) {
        const r = parseFilter(parsed, opts);
        out.problems.push(...r.problems);
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
