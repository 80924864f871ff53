// Which of the rules found load: `rules.includeStatuses`, `rules.select` and `rules.exclude` (see
// docs/rules.md, "Choosing the rules that load"). Runs on compiled rules and parsed correlations,
// before filters apply and correlations resolve: a left-out rule is not evaluated at all. A loaded
// correlation keeps every rule and correlation it refers to loaded, whatever the selection says.
import { configProblemAt } from "../config/load.ts";
import { defaultRuleSelection } from "../config/rule-settings.ts";
import type { RuleSelection, RuleSelector } from "../config/types.ts";
import type { CorrelationDef } from "./correlation/types.ts";
import type { CompiledFilter } from "./filters.ts";
import type { CompiledRule, RuleProblem } from "./types.ts";

/** A base rule or correlation that did not load, and why. */
export interface ExcludedRule {
  kind: "rule" | "correlation";
  id: string;
  title: string;
  file: string;
  line: number;
  column: number;
  /** e.g. "status deprecated (rules.includeStatuses)", "not selected (rules.select.levels)". */
  reason: string;
  /** The compiled rule, or the parsed correlation, for tools that list what did not load. */
  source: CompiledRule | CorrelationDef;
}

export interface RuleChoice {
  rules: CompiledRule[];
  correlations: CorrelationDef[];
  /** Filters, without references to rules left out (a filter left referring to none is dropped). */
  filters: CompiledFilter[];
  excluded: ExcludedRule[];
  /** Rule or correlation id → why it loads though the selection leaves it out ("used by correlation X"). */
  kept: Map<string, string>;
  /** One located note per rule left out by its status (not errors: the rule is fine, just not wanted). */
  notes: RuleProblem[];
}

/** What a selector looks at, for base rules and correlations alike. */
interface Selectable {
  id: string;
  title: string;
  level: string;
  status?: string;
  tags: string[];
  file: string;
  line: number;
  column: number;
}

/**
 * Choose the rules that load. `names` maps base rules' Sigma `name` to their id (as the loader
 * collected them); correlations' names come from `correlations` themselves.
 */
export function chooseRules(
  rules: readonly CompiledRule[],
  correlations: readonly CorrelationDef[],
  filters: readonly CompiledFilter[],
  names: ReadonlyMap<string, string>,
  // Without a config: the schema's defaults (deprecated and unsupported rules do not load).
  selection: RuleSelection = defaultRuleSelection(),
): RuleChoice {
  const nameOf = new Map<string, string>(); // id → name
  for (const [name, id] of names) nameOf.set(id, name);
  for (const c of correlations) if (c.name) nameOf.set(c.id, c.name);
  const refToId = new Map<string, string>(names);
  for (const c of correlations) if (c.name) refToId.set(c.name, c.id);
  const ruleIds = new Set(rules.map((r) => r.id));
  const defById = new Map(correlations.map((c) => [c.id, c]));
  const resolve = (ref: string) => (ruleIds.has(ref) || defById.has(ref) ? ref : refToId.get(ref));

  const reasons = new Map<string, string>();
  const statusLeftOut = new Set<string>();
  for (const r of [...rules, ...correlations]) {
    const why = reasonLeftOut(r, nameOf.get(r.id), selection);
    if (!why) continue;
    reasons.set(r.id, why.reason);
    if (why.byStatus) statusLeftOut.add(r.id);
  }
  // A correlation that loads needs what it refers to (transitively, through chains).
  const kept = new Map<string, string>();
  const pending = correlations.filter((c) => !reasons.has(c.id));
  while (pending.length) {
    const c = pending.pop()!;
    for (const ref of c.rules) {
      const id = resolve(ref);
      if (id === undefined || !reasons.has(id) || kept.has(id)) continue;
      kept.set(id, `used by correlation ${c.id} (${reasons.get(id)})`);
      const inner = defById.get(id);
      if (inner) pending.push(inner);
    }
  }
  const loads = (id: string) => !reasons.has(id) || kept.has(id);
  const excluded: ExcludedRule[] = [];
  const notes: RuleProblem[] = [];
  const leaveOut = (kind: ExcludedRule["kind"], r: CompiledRule | CorrelationDef) => {
    const reason = reasons.get(r.id)!;
    const { id, title, file, line, column } = r;
    excluded.push({ kind, id, title, file, line, column, reason, source: r });
    if (statusLeftOut.has(r.id))
      notes.push({
        file: r.file,
        line: r.line,
        column: r.column,
        message: `not loaded: ${reason}`,
        ruleId: r.id,
        ruleTitle: r.title,
      });
  };
  for (const r of rules) if (!loads(r.id)) leaveOut("rule", r);
  for (const c of correlations) if (!loads(c.id)) leaveOut("correlation", c);
  notes.push(...unknownIds(selection, (id) => resolve(id) !== undefined));
  return {
    rules: rules.filter((r) => loads(r.id)),
    correlations: correlations.filter((c) => loads(c.id)),
    filters: filtersFor(filters, (ref) => {
      const id = resolve(ref);
      return id === undefined || loads(id);
    }),
    excluded,
    kept,
    notes,
  };
}

/**
 * A filter names rules by id or name: references to rules left out are dropped (so the filter does
 * not report them missing), and a filter left naming none is dropped, rather than becoming one for
 * every rule. An unknown reference stays, for the filter's own check to report.
 */
function filtersFor(filters: readonly CompiledFilter[], loads: (ref: string) => boolean): CompiledFilter[] {
  const out: CompiledFilter[] = [];
  for (const f of filters) {
    if (f.rules === "any") {
      out.push(f);
      continue;
    }
    const keep = f.rules.map((ref) => loads(ref));
    if (keep.every(Boolean)) out.push(f);
    else if (keep.some(Boolean))
      out.push({
        ...f,
        rules: f.rules.filter((_, i) => keep[i]),
        rulePositions: f.rulePositions.filter((_, i) => keep[i]),
      });
  }
  return out;
}

/**
 * A note for each `ids` entry of select / exclude that names no rule or correlation found (a typo
 * would otherwise quietly select nothing), located in the config file when there is one.
 */
function unknownIds(selection: RuleSelection, known: (id: string) => boolean): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const key of ["select", "exclude"] as const) {
    selection[key]?.ids?.forEach((id, i) => {
      if (known(id)) return;
      const message = `rules.${key}.ids[${i}] "${id}": no rule or correlation found has this id or name`;
      out.push(configProblemAt({ file: selection.file }, ["rules", key, "ids", i], message));
    });
  }
  return out;
}

/** Why the selection leaves `r` out, or undefined when it loads. */
export function reasonLeftOut(
  r: Selectable,
  name: string | undefined,
  selection: RuleSelection,
): { reason: string; byStatus: boolean } | undefined {
  if (r.status !== undefined && !selection.includeStatuses.includes(r.status as never))
    return { reason: `status ${r.status} (rules.includeStatuses)`, byStatus: true };
  if (selection.select) {
    const missed = unmatchedKeys(r, name, selection.select);
    if (missed.length)
      return { reason: `not selected (rules.select.${missed.join(", rules.select.")})`, byStatus: false };
  }
  if (selection.exclude && Object.keys(selection.exclude).length > 0) {
    if (unmatchedKeys(r, name, selection.exclude).length === 0)
      return { reason: "excluded (rules.exclude)", byStatus: false };
  }
  return undefined;
}

/** The keys of `selector` that `r` does not match (none: the selector matches it). */
export function unmatchedKeys(r: Selectable, name: string | undefined, selector: RuleSelector): string[] {
  const missed: string[] = [];
  if (selector.levels && !selector.levels.includes(r.level as never)) missed.push("levels");
  if (selector.statuses && (r.status === undefined || !selector.statuses.includes(r.status as never)))
    missed.push("statuses");
  if (selector.tags && !selector.tags.some((p) => r.tags.some((t) => tagMatches(p, t)))) missed.push("tags");
  if (selector.ids && !selector.ids.some((id) => id === r.id || (name !== undefined && id === name)))
    missed.push("ids");
  return missed;
}

/** A tag pattern: case-insensitive, a trailing `*` matching any rest. */
export function tagMatches(pattern: string, tag: string): boolean {
  const p = pattern.toLowerCase();
  const t = tag.toLowerCase();
  return p.endsWith("*") ? t.startsWith(p.slice(0, -1)) : t === p;
}
