// The `rules` setting in both its forms: a list of paths, or a map of paths, includeStatuses, select
// and exclude. The schema's ruleSettings definition is the source of its defaults (ajv useDefaults).
import { resolve } from "node:path";
import { definitionValidator, loadSchema } from "./schema.ts";
import type { RuleSelection, RuleSelector, RuleStatus } from "./types.ts";

/** A problem at a YAML path (checks.ts's PathProblem, without importing it back). */
interface PathProblem {
  path: (string | number)[];
  message: string;
}

interface RuleSettings extends RuleSelection {
  paths: string[];
}

function isMap(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

/** Paths resolved against `baseDir`, and the selection with its defaults. Takes a validated value. */
export function ruleSettings(raw: unknown, baseDir: string): { paths: string[]; selection: RuleSelection } {
  if (!isMap(raw)) {
    // The short form (or none): the defaults alone, without compiling the schema for them.
    const paths = Array.isArray(raw) ? (raw as string[]) : [];
    return { paths: paths.map((p) => resolve(baseDir, p)), selection: defaultRuleSelection() };
  }
  const settings = structuredClone(raw);
  // Fills in the defaults; the value was validated with the whole config already.
  definitionValidator("config", "ruleSettings")(settings);
  const { paths, includeStatuses, select, exclude } = settings as unknown as RuleSettings;
  const selection: RuleSelection = { includeStatuses: [...includeStatuses] };
  if (select) selection.select = select;
  if (exclude) selection.exclude = exclude;
  return { paths: paths.map((p) => resolve(baseDir, p)), selection };
}

let defaultStatuses: RuleStatus[] | undefined;

/**
 * The default selection (no config): every status but deprecated and unsupported, every rule. Read
 * from the schema's default without compiling it (scan workers load rules without a config).
 */
export function defaultRuleSelection(): RuleSelection {
  if (!defaultStatuses) {
    const schema = loadSchema("config") as {
      definitions: { ruleSettings: { properties: { includeStatuses: { default: RuleStatus[] } } } };
    };
    defaultStatuses = schema.definitions.ruleSettings.properties.includeStatuses.default;
  }
  return { includeStatuses: [...defaultStatuses] };
}

/** Where the rule paths are in the raw config: `rules` or `rules.paths`. */
export function rulePathsAt(raw: unknown): { paths: unknown[]; at: (string | number)[] } | undefined {
  if (Array.isArray(raw)) return { paths: raw, at: ["rules"] };
  const paths = raw && typeof raw === "object" ? (raw as Record<string, unknown>).paths : undefined;
  return Array.isArray(paths) ? { paths, at: ["rules", "paths"] } : undefined;
}

/**
 * What the schema cannot say about the selection: a `*` inside a tag pattern (only a trailing one is
 * a wildcard), and a select.statuses value that includeStatuses leaves out (it could select nothing).
 */
export function ruleSelectionProblems(raw: unknown): PathProblem[] {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return [];
  const out: PathProblem[] = [];
  const settings = raw as Record<string, unknown>;
  for (const key of ["select", "exclude"] as const) {
    const selector = settings[key] as RuleSelector | undefined;
    const tags = selector && typeof selector === "object" ? selector.tags : undefined;
    if (!Array.isArray(tags)) continue;
    tags.forEach((tag, i) => {
      if (typeof tag === "string" && tag.slice(0, -1).includes("*"))
        out.push({
          path: ["rules", key, "tags", i],
          message: `rules.${key}.tags[${i}] "${tag}": a tag pattern may hold * only at its end`,
        });
    });
  }
  const included = settings.includeStatuses;
  const wanted = (settings.select as RuleSelector | undefined)?.statuses;
  if (Array.isArray(included) && Array.isArray(wanted)) {
    wanted.forEach((s, i) => {
      if (typeof s === "string" && !included.includes(s as RuleStatus))
        out.push({
          path: ["rules", "select", "statuses", i],
          message: `rules.select.statuses[${i}] "${s}": rules.includeStatuses leaves out this status, so no such rule loads`,
        });
    });
  }
  return out;
}
