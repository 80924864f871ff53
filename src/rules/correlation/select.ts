// A backfill's correlations: the selected ones and the correlations they chain (which run, but are
// emitted only when selected themselves), in dependency order, with their consumers.
import type { CompiledCorrelation, CorrelationSet } from "./resolve.ts";

export function selectCorrelations(set: CorrelationSet, selected: ReadonlySet<string>): CorrelationSet {
  const byId = new Map(set.correlations.map((c) => [c.id, c]));
  const needed = new Set<string>();
  const visit = (id: string) => {
    const c = byId.get(id);
    if (!c || needed.has(id)) return;
    needed.add(id);
    for (const input of c.inputs) visit(input);
  };
  for (const id of selected) visit(id);
  const correlations: CompiledCorrelation[] = set.correlations
    .filter((c) => needed.has(c.id))
    .map((c) => ({ ...c, emit: c.emit && selected.has(c.id) }));
  const consumers = new Map<string, CompiledCorrelation[]>();
  for (const c of correlations)
    for (const id of c.inputs) {
      const list = consumers.get(id) ?? [];
      list.push(c);
      consumers.set(id, list);
    }
  return { correlations, consumers };
}
