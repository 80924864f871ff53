// Analyse pass, index pins: what a rule requires of eventName / eventSource, from the model. An item
// pins its field when it compares it with plain values (no modifier, no wildcard); a selection pins what
// all its items pin (AND) or what every alternative pins (OR); the condition combines them the same
// way, and `not` or `N of` (N below the count) pin nothing. The RuleSet indexes rules by these pins, and
// the generated test leaves out the items the index has already checked.
import type { CondNode } from "./condition.ts";
import { selectIdentifiers } from "./condition.ts";
import type { DetectionItem, DetectionModel } from "./model.ts";
import { literalOf, parseSigmaString } from "./patterns.ts";

/** Field → the values (lowercased) one of which the record's value must be. */
export type Pins = Map<string, Set<string>>;

const PINNABLE = new Set(["eventName", "eventSource"]);

export interface PinAnalysis {
  /** What the whole rule requires. */
  rule: Pins;
  /** What each pinning item requires (of its own field). */
  items: Map<DetectionItem, Set<string>>;
}

/** `conditions`: each condition's syntax tree (the validate pass parsed them). */
export function analysePins(detection: DetectionModel, conditions: readonly CondNode[]): PinAnalysis {
  const items = new Map<DetectionItem, Set<string>>();
  const bySelection = new Map<string, Pins>();
  for (const sel of detection.selections) {
    const alternatives = sel.alternatives.map((alt) =>
      andPins(
        alt.map((item) => {
          const values = itemPin(item);
          if (values) items.set(item, values);
          return values ? new Map([[item.field, values]]) : new Map();
        }),
      ),
    );
    bySelection.set(sel.name, orPins(alternatives));
  }
  const names = detection.selections.map((s) => s.name);
  const of = (node: CondNode): Pins => {
    switch (node.kind) {
      case "id":
        return bySelection.get(node.name) ?? new Map();
      case "and":
        return andPins([of(node.left), of(node.right)]);
      case "or":
        return orPins([of(node.left), of(node.right)]);
      case "not":
        return new Map();
      case "of": {
        const parts = selectIdentifiers(node.pattern, names).map((n) => bySelection.get(n) ?? new Map());
        if (node.atLeast !== undefined) return node.atLeast === parts.length ? andPins(parts) : new Map();
        return node.quantifier === "all" ? andPins(parts) : orPins(parts);
      }
    }
  };
  return { rule: orPins(conditions.map(of)), items };
}

/** The values an item requires of eventName / eventSource, when it compares them with plain values. */
function itemPin(item: DetectionItem): Set<string> | undefined {
  if (item.keyword || !PINNABLE.has(item.field) || item.modifiers.length > 0) return undefined;
  const out = new Set<string>();
  for (const v of item.values) {
    if (v.value === null) return undefined;
    const literal = literalOf(parseSigmaString(String(v.value)));
    if (literal === undefined) return undefined;
    out.add(literal.toLowerCase());
  }
  return out;
}

/** AND: every field any part pins, with the values all parts that pin it allow. */
function andPins(parts: Pins[]): Pins {
  const out: Pins = new Map();
  for (const p of parts) {
    for (const [field, values] of p) {
      const prev = out.get(field);
      out.set(field, prev ? new Set([...prev].filter((v) => values.has(v))) : values);
    }
  }
  return out;
}

/** OR: the fields every part pins, with the union of their values. */
function orPins(parts: Pins[]): Pins {
  if (parts.length === 1) return parts[0];
  const out: Pins = new Map();
  if (parts.length === 0) return out;
  for (const field of parts[0].keys()) {
    if (parts.every((p) => p.has(field))) out.set(field, new Set(parts.flatMap((p) => [...p.get(field)!])));
  }
  return out;
}
