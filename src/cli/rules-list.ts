// `trailwarden rules list [PATH...]`: what a rule set holds, one entry per base rule, correlation and
// filter: what each is, and which records the index tries it on (its pins) or "every record".
import type { RuleSelection } from "../config/types.ts";
import type { CorrelationDef } from "../rules/correlation/types.ts";
import { type CompiledRule, formatRuleProblem, loadRules, type RulePins } from "../rules/index.ts";
import { EXIT } from "./command.ts";
import { chooseOutput, emit } from "./format.ts";

export interface ListOptions {
  paths: string[];
  placeholders: Record<string, string[]>;
  /** The config's rules.includeStatuses / select / exclude; undefined: the defaults. */
  selection?: RuleSelection;
  format?: string;
  output?: string;
  /** Also list the rules and correlations the selection left out, with the reason. */
  all: boolean;
}

/** The eventSource / eventName values (lowercased, sorted) the index files a rule under. */
export type ListedPins = { eventSource?: string[]; eventName?: string[] } | "every record";

interface Listed {
  id: string;
  title: string;
  file: string;
  line: number;
  column: number;
  /** false only with --all: the selection left it out, for `reason`. */
  loaded: boolean;
  /** Why it did not load, or why it loads though the selection leaves it out; else null. */
  reason: string | null;
}

export interface ListedRule extends Listed {
  kind: "rule";
  level: string;
  status: string | null;
  tags: string[];
  pins: ListedPins;
}

export interface ListedCorrelation extends Listed {
  kind: "correlation";
  level: string;
  status: string | null;
  tags: string[];
  type: string;
  /** The rules it refers to, as written (ids or names). */
  rules: string[];
  groupBy: string[];
  timespan: string;
  generate: boolean;
}

export interface ListedFilter extends Listed {
  kind: "filter";
  /** Rule ids or names it applies to, or "any". */
  rules: string[] | "any";
  logsource: Record<string, string>;
}

export type ListedEntry = ListedRule | ListedCorrelation | ListedFilter;

export function pinsOf(pins: RulePins): ListedPins {
  const out: { eventSource?: string[]; eventName?: string[] } = {};
  if (pins.eventSource) out.eventSource = [...pins.eventSource].sort();
  if (pins.eventName) out.eventName = [...pins.eventName].sort();
  return out.eventSource || out.eventName ? out : "every record";
}

function ruleEntry(r: CompiledRule, loaded: boolean, reason: string | null): ListedRule {
  return {
    kind: "rule",
    id: r.id,
    title: r.title,
    level: r.level,
    status: r.status ?? null,
    tags: [...r.tags],
    pins: pinsOf(r.pins),
    file: r.file,
    line: r.line,
    column: r.column,
    loaded,
    reason,
  };
}

function correlationEntry(c: CorrelationDef, loaded: boolean, reason: string | null): ListedCorrelation {
  return {
    kind: "correlation",
    id: c.id,
    title: c.title,
    level: c.level,
    status: c.status ?? null,
    tags: [...c.tags],
    type: c.type,
    rules: [...c.rules],
    groupBy: [...c.groupBy],
    timespan: c.timespan,
    generate: c.generate,
    file: c.file,
    line: c.line,
    column: c.column,
    loaded,
    reason,
  };
}

/** Every entry, in a stable order: by file, then position in it. */
export async function listEntries(opts: ListOptions) {
  const loaded = await loadRules(opts.paths, { placeholders: opts.placeholders, selection: opts.selection });
  const why = (id: string) => loaded.kept.get(id) ?? null;
  const entries: ListedEntry[] = [
    ...loaded.ruleSet.rules.map((r) => ruleEntry(r, true, why(r.id))),
    ...loaded.correlations.correlations.map((c) => correlationEntry(c, true, why(c.id))),
    ...loaded.filters.map(
      (f): ListedFilter => ({
        kind: "filter",
        id: f.id,
        title: f.title,
        rules: f.rules === "any" ? "any" : [...f.rules],
        logsource: { ...f.logsource },
        file: f.file,
        line: f.line,
        column: f.column,
        loaded: true,
        reason: null,
      }),
    ),
  ];
  if (opts.all)
    for (const e of loaded.excluded) {
      if (e.kind === "rule") entries.push(ruleEntry(e.source as CompiledRule, false, e.reason));
      else entries.push(correlationEntry(e.source as CorrelationDef, false, e.reason));
    }
  entries.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
  );
  return { entries, loaded };
}

export async function listRules(opts: ListOptions): Promise<number> {
  const target = chooseOutput({ format: opts.format, output: opts.output }, ["table", "json"]);
  const { entries, loaded } = await listEntries(opts);
  // The listing alone goes to stdout (a JSON array stays parseable); problems and notes to stderr.
  for (const p of loaded.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
  for (const n of loaded.notes) process.stderr.write(`${formatRuleProblem(n)}\n`);
  emit(target, target.format === "json" ? JSON.stringify(entries, null, 2) : renderTable(entries));
  if (loaded.problems.length) return EXIT.FAIL;
  if (loaded.files.length === 0) {
    process.stderr.write(`no rule files under ${opts.paths.join(", ")}\n`);
    return EXIT.FAIL;
  }
  return EXIT.OK;
}

function describePins(pins: ListedPins): string {
  if (pins === "every record") return pins;
  const parts: string[] = [];
  if (pins.eventSource) parts.push(`eventSource ${pins.eventSource.join(", ")}`);
  if (pins.eventName) parts.push(`eventName ${pins.eventName.join(", ")}`);
  return parts.join("; ");
}

/** Three sections (rules, correlations, filters), each a table with aligned columns. */
export function renderTable(entries: readonly ListedEntry[]): string {
  const out: string[] = [];
  const mark = (e: ListedEntry) => (e.loaded ? "" : " (not loaded)");
  const note = (e: ListedEntry) => (e.reason ? `  ${e.reason}` : "");
  const rules = entries.filter((e): e is ListedRule => e.kind === "rule");
  const correlations = entries.filter((e): e is ListedCorrelation => e.kind === "correlation");
  const filters = entries.filter((e): e is ListedFilter => e.kind === "filter");
  out.push(`Rules (${rules.filter((r) => r.loaded).length} loaded)`);
  out.push(
    ...table(
      ["ID", "LEVEL", "STATUS", "TITLE", "TAGS", "INDEX PINS"],
      rules.map((r) => [
        r.id + mark(r),
        r.level,
        r.status ?? "-",
        r.title,
        r.tags.join(", ") || "-",
        describePins(r.pins) + note(r),
      ]),
    ),
  );
  if (correlations.length) {
    out.push("", `Correlations (${correlations.filter((c) => c.loaded).length} loaded)`);
    out.push(
      ...table(
        ["ID", "LEVEL", "STATUS", "TITLE", "TYPE", "RULES", "GROUP-BY", "TIMESPAN"],
        correlations.map((c) => [
          c.id + mark(c),
          c.level,
          c.status ?? "-",
          c.title,
          c.type,
          c.rules.join(", "),
          c.groupBy.join(", ") || "-",
          c.timespan + note(c),
        ]),
      ),
    );
  }
  if (filters.length) {
    out.push("", `Filters (${filters.length})`);
    out.push(
      ...table(
        ["ID", "TITLE", "RULES"],
        filters.map((f) => [f.id, f.title, f.rules === "any" ? "any" : f.rules.join(", ")]),
      ),
    );
  }
  return out.join("\n");
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
