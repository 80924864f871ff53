// Compiled detection trees (generate pass): AND / OR of record tests, the condition compiled over
// search identifiers, and the specialisation the index uses (from the pins the analyse pass found).
import type { Pin, Test } from "./combine.ts";
import { type CondNode, selectIdentifiers } from "./condition.ts";
import type { Pins } from "./pins.ts";

export type Path = (string | number)[];

/** A compile problem before it is located: a YAML path, and optionally a character offset in that scalar. */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly path: Path,
    readonly preferKey = false,
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface Compiled {
  test: Test;
  /** For an item on eventName / eventSource with plain values: what it requires (analyse pass). */
  pin?: Pin;
  /** For a search identifier that is one map: its entries, so the index can drop the ones it implies. */
  entries?: Compiled[];
}

export const ALWAYS: Compiled = { test: () => true };

/**
 * The rule's test for records whose eventName / eventSource the index has already checked: an entry
 * on such a field, in a selection that the whole condition ANDs with the rest, is then known to hold
 * when its values include every value the rule pins. Dropping it saves a comparison per rule per record.
 */
export function specialize(
  whole: Compiled,
  rulePins: Pins,
  asts: { ast: CondNode; path: Path }[],
  ids: Map<string, Compiled>,
  names: string[],
  implied: readonly string[],
): Test {
  if (asts.length !== 1) return whole.test;
  const overrides = new Map<CondNode, Compiled>();
  for (const node of conjuncts(asts[0].ast)) {
    if (node.kind !== "id") continue;
    const entries = ids.get(node.name)?.entries;
    if (!entries) continue;
    const kept = entries.filter((e) => !impliedEntry(e, rulePins, implied));
    if (kept.length < entries.length) overrides.set(node, kept.length ? andAll(kept) : ALWAYS);
  }
  if (overrides.size === 0) return whole.test;
  return compileCondition(asts[0].ast, ids, names, asts[0].path, overrides).test;
}

function impliedEntry(entry: Compiled, rulePins: Pins, implied: readonly string[]): boolean {
  if (!entry.pin) return false;
  const { field, values } = entry.pin;
  const ruleValues = rulePins.get(field);
  return implied.includes(field) && ruleValues !== undefined && [...ruleValues].every((v) => values.has(v));
}

/** The operands of the top-level chain of `and`. */
function conjuncts(node: CondNode): CondNode[] {
  return node.kind === "and" ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];
}

export function andAll(all: Compiled[]): Compiled {
  const parts = all.filter((p) => p !== ALWAYS);
  if (parts.length === 0) return ALWAYS;
  if (parts.length === 1) return { test: parts[0].test };
  const tests = parts.map((p) => p.test);
  return {
    test: (r, ctx) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i](r, ctx)) return false;
      return true;
    },
  };
}

export function orAll(parts: Compiled[]): Compiled {
  if (parts.length === 1) return parts[0];
  const tests = parts.map((p) => p.test);
  return {
    test: (r, ctx) => {
      for (let i = 0; i < tests.length; i++) if (tests[i](r, ctx)) return true;
      return false;
    },
  };
}

export function compileCondition(
  node: CondNode,
  ids: Map<string, Compiled>,
  names: string[],
  path: Path,
  overrides?: Map<CondNode, Compiled>,
): Compiled {
  const sub = (n: CondNode) => compileCondition(n, ids, names, path, overrides);
  const override = overrides?.get(node);
  if (override) return override;
  switch (node.kind) {
    case "id": {
      const c = ids.get(node.name);
      if (!c)
        throw new RuleError(
          `condition: undefined search identifier "${node.name}"`,
          path,
          false,
          node.offset,
        );
      return c;
    }
    case "and":
      return andAll([sub(node.left), sub(node.right)]);
    case "or":
      return orAll([sub(node.left), sub(node.right)]);
    case "not": {
      const inner = sub(node.operand).test;
      return { test: (r, ctx) => !inner(r, ctx) };
    }
    case "of": {
      const selected = selectIdentifiers(node.pattern, names);
      if (selected.length === 0) {
        const what = node.pattern === null ? "them (no search identifier)" : `"${node.pattern}"`;
        throw new RuleError(`condition: ${what} matches no search identifier`, path, false, node.offset);
      }
      const parts = selected.map((n) => ids.get(n)!);
      if (node.atLeast !== undefined) {
        if (node.atLeast > parts.length) {
          throw new RuleError(
            `condition: "${node.atLeast} of" needs at least ${node.atLeast} identifiers; ${node.pattern === null ? "them" : `"${node.pattern}"`} matches ${parts.length}`,
            path,
            false,
            node.offset,
          );
        }
        if (node.atLeast === parts.length) return andAll(parts);
        return atLeast(parts, node.atLeast);
      }
      return node.quantifier === "all" ? andAll(parts) : orAll(parts);
    }
  }
}

/** `N of`: at least n of the parts hold. */
function atLeast(parts: Compiled[], n: number): Compiled {
  const tests = parts.map((p) => p.test);
  return {
    test: (r, ctx) => {
      let hits = 0;
      for (let i = 0; i < tests.length; i++) {
        if (tests[i](r, ctx) && ++hits >= n) return true;
        // Too few left to reach n.
        if (hits + (tests.length - 1 - i) < n) return false;
      }
      return false;
    },
  };
}
