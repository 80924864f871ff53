// Resolves correlation rules against the loaded rule set: references by id or name, chains of
// correlations (acyclic), aliases, and the fields each base rule must project for them. The result
// is a CorrelationSet: the compiled correlations in dependency order, and for every base rule they
// use, what to take from a matching record (CorrelationProjection).
import { splitPath } from "../fields.ts";
import type { CompiledRule, RuleProblem } from "../types.ts";
import type { CorrelationDef, CorrelationProjection } from "./types.ts";

export interface CompiledCorrelation extends CorrelationDef {
  /** Resolved ids of `rules`, in order. */
  inputs: string[];
  /** Per input id: the key in a CorrelationEvent's values for each group-by name. */
  groupKeys: Map<string, string[]>;
  /** Per input id: the key of the measured field (value_* types). */
  fieldKey: Map<string, string>;
  /** Whether this correlation's own firings are emitted (false when a chaining correlation uses it without generate). */
  emit: boolean;
}

export interface CorrelationSet {
  /** Dependency order: a correlation comes after every correlation it chains. */
  correlations: CompiledCorrelation[];
  /** Correlations consuming each rule id (base rule or correlation). */
  consumers: Map<string, CompiledCorrelation[]>;
}

/** The longest string kept of a projected value: group keys and distinct values stay small. */
export const MAX_VALUE_CHARS = 1024;

export function resolveCorrelations(
  rules: CompiledRule[],
  defs: CorrelationDef[],
  names: Map<string, string>,
): { set: CorrelationSet; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const defById = new Map<string, CorrelationDef>();
  const idOf = new Map<string, string>(names); // name → id (base rules' names come from the loader)
  const accepted: CorrelationDef[] = [];
  for (const d of defs) {
    const report = (message: string, pos: { line: number; column: number } = d) =>
      problems.push({ file: d.file, ...pos, message, ruleId: d.id, ruleTitle: d.title });
    if (ruleById.has(d.id) || defById.has(d.id)) {
      report(
        "duplicate rule id: another rule or correlation already defines it; this correlation is skipped",
      );
      continue;
    }
    if (d.name && idOf.has(d.name) && idOf.get(d.name) !== d.id) {
      report(`duplicate rule name "${d.name}"; this correlation is skipped`);
      continue;
    }
    defById.set(d.id, d);
    if (d.name) idOf.set(d.name, d.id);
    accepted.push(d);
  }
  const resolveRef = (ref: string): string | undefined =>
    ruleById.has(ref) || defById.has(ref) ? ref : idOf.get(ref);

  // Check references, then order by dependency (a cycle or a broken link drops the correlation).
  const compiled = new Map<string, CompiledCorrelation>();
  const state = new Map<string, "visiting" | "done" | "bad">();
  const order: CompiledCorrelation[] = [];
  const visit = (d: CorrelationDef): boolean => {
    const s = state.get(d.id);
    if (s === "done") return true;
    if (s === "bad") return false;
    if (s === "visiting") return false;
    state.set(d.id, "visiting");
    const report = (message: string, pos: { line: number; column: number } = d) =>
      problems.push({ file: d.file, ...pos, message, ruleId: d.id, ruleTitle: d.title });
    const inputs: string[] = [];
    let ok = true;
    d.rules.forEach((ref, i) => {
      const id = resolveRef(ref);
      const pos = d.rulePositions[i] ?? d;
      if (id === undefined) {
        report(`correlation refers to "${ref}", which is no loaded rule id or name`, pos);
        ok = false;
        return;
      }
      if (id === d.id) {
        report("a correlation cannot refer to itself", pos);
        ok = false;
        return;
      }
      const inner = defById.get(id);
      if (inner) {
        if (state.get(inner.id) === "visiting") {
          report(`correlation chain forms a cycle through "${ref}"`, pos);
          ok = false;
          return;
        }
        if (!visit(inner)) {
          report(`correlation refers to "${ref}", which did not load`, pos);
          ok = false;
          return;
        }
      }
      inputs.push(id);
    });
    if (!ok) {
      state.set(d.id, "bad");
      return false;
    }
    const c = compileFields(d, inputs, compiled, report);
    if (!c) {
      state.set(d.id, "bad");
      return false;
    }
    compiled.set(d.id, c);
    order.push(c);
    state.set(d.id, "done");
    return true;
  };
  for (const d of accepted) visit(d);

  // generate: an input emits its own detections only when a consumer says generate: true.
  const consumers = new Map<string, CompiledCorrelation[]>();
  for (const c of order) for (const id of c.inputs) push(consumers, id, c);
  for (const c of order) {
    const users = consumers.get(c.id);
    c.emit = !users || users.some((u) => u.generate);
  }
  for (const [id, users] of consumers) {
    const rule = ruleById.get(id);
    if (!rule) continue;
    const fields = new Set<string>();
    for (const u of users) {
      for (const k of u.groupKeys.get(id) ?? []) fields.add(k);
      const f = u.fieldKey.get(id);
      if (f !== undefined) fields.add(f);
    }
    rule.correlation = projection(
      rule.id,
      [...fields].sort(),
      users.some((u) => u.generate),
    );
  }
  return { set: { correlations: order, consumers }, problems };
}

/** The key each group-by name (and the measured field) has in the events of each input. */
function compileFields(
  d: CorrelationDef,
  inputs: string[],
  compiled: Map<string, CompiledCorrelation>,
  report: (message: string) => void,
): CompiledCorrelation | undefined {
  const groupKeys = new Map<string, string[]>();
  const fieldKey = new Map<string, string>();
  // An alias may name a rule by id or by name; look both up for each input.
  const refsOf = (id: string) => d.rules.filter((_, i) => inputs[i] === id).concat(id);
  const keyFor = (name: string, id: string): string => {
    const mapping = d.aliases[name];
    if (mapping) for (const ref of refsOf(id)) if (ref in mapping) return mapping[ref];
    return name;
  };
  let ok = true;
  for (const id of inputs) {
    const inner = compiled.get(id);
    const keys = d.groupBy.map((g) => keyFor(g, id));
    if (inner) {
      // A chained correlation's events carry its own group-by values, by its group-by names.
      for (const k of keys) {
        if (!inner.groupBy.includes(k)) {
          report(
            `group-by field "${k}" is not grouped by the chained correlation "${inner.id}" (it groups by ${inner.groupBy.join(", ") || "nothing"})`,
          );
          ok = false;
        }
      }
    }
    groupKeys.set(id, keys);
    if (d.condition.field !== undefined) {
      const k = keyFor(d.condition.field, id);
      if (inner && !inner.groupBy.includes(k)) {
        report(`condition field "${k}" is not grouped by the chained correlation "${inner.id}"`);
        ok = false;
      }
      fieldKey.set(id, k);
    }
  }
  for (const alias of Object.keys(d.aliases)) {
    if (!d.groupBy.includes(alias) && d.condition.field !== alias) {
      report(`alias "${alias}" is not used in group-by or the condition's field`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { ...d, inputs, groupKeys, fieldKey, emit: true };
}

function projection(ruleId: string, fields: string[], emit: boolean): CorrelationProjection {
  const paths = fields.map((f) => ({ key: f, path: splitPath(f) }));
  return {
    emit,
    fields,
    project(record) {
      const values: Record<string, string | number | null> = {};
      for (const { key, path } of paths) values[key] = scalarAt(record, path);
      return {
        ruleId,
        eventID: typeof record.eventID === "string" ? record.eventID : "",
        eventTime: typeof record.eventTime === "string" ? record.eventTime : "",
        values,
      };
    },
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The scalar at a dotted path (own properties only; the first element of an array on the way). */
export function scalarAt(record: unknown, path: readonly string[]): string | number | null {
  let cur: unknown = record;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (typeof cur !== "object" || cur === null || !hasOwn.call(cur, key)) return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (Array.isArray(cur)) cur = cur[0];
  if (typeof cur === "string") return cur.length > MAX_VALUE_CHARS ? cur.slice(0, MAX_VALUE_CHARS) : cur;
  if (typeof cur === "number") return Number.isFinite(cur) ? cur : null;
  if (typeof cur === "boolean") return String(cur);
  return null;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
