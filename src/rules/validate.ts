// Validate pass: every problem of a rule's detection, from the model, in one pass (nothing stops at the
// first): modifier chains against the registry's declared kinds, values against their comparison, and
// the conditions against the search identifiers.
import { ConditionError, type CondNode, parseCondition, selectIdentifiers } from "./condition.ts";
import { type DetectionItem, type DetectionModel, offsetPos, type SourcePos } from "./model.ts";
import { checkChain, comparisonOf, MODIFIERS } from "./modifier-registry.ts";

export type Report = (message: string, pos: SourcePos) => void;

export interface ValidatedDetection {
  /** Items that passed (the generate pass builds only these). */
  valid: Set<DetectionItem>;
  /** Each condition's syntax tree, when it parsed. */
  conditions: (CondNode | undefined)[];
}

export function validateDetection(detection: DetectionModel, report: Report): ValidatedDetection {
  const valid = new Set<DetectionItem>();
  for (const sel of detection.selections) {
    for (const items of sel.alternatives)
      for (const item of items) if (validateItem(item, report)) valid.add(item);
  }
  const names = detection.names;
  const conditions = detection.conditions.map((c) => {
    let ast: CondNode;
    try {
      ast = parseCondition(c.text);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      report(`condition: ${err.message}`, offsetPos(c.pos, c.inline, err.offset));
      return undefined;
    }
    checkCondition(ast, names, (message, offset) =>
      report(`condition: ${message}`, offsetPos(c.pos, c.inline, offset)),
    );
    return ast;
  });
  return { valid, conditions };
}

/** One item's problems; true when it has none. */
export function validateItem(item: DetectionItem, report: Report): boolean {
  let ok = true;
  const fail = (message: string, pos: SourcePos) => {
    report(message, pos);
    ok = false;
  };
  const isNull = item.values.length === 1 && item.values[0].value === null;
  if (isNull) {
    if (item.modifiers.length > 0) fail("null cannot take modifiers", item.values[0].pos);
    return ok;
  }
  for (const p of checkChain(item)) fail(p.message, p.pos);
  if (!ok) return false;
  const op = comparisonOf(item);
  const spec = op === undefined ? undefined : MODIFIERS.get(op);
  if (spec?.alone && item.values.length !== 1) fail(`"${op}" takes one value`, item.values[1].pos);
  if (item.linking === "and" && item.values.length < 2) {
    fail('"all" needs a list of at least two values', item.values[0].pos);
  }
  if (spec?.checkValue) {
    for (const v of item.values) {
      const message = spec.checkValue(v.value as string | number | boolean);
      if (message) fail(message, v.pos);
    }
  }
  return ok;
}

/** Undefined identifiers, `x of` patterns that select nothing, and `N of` beyond what they select. */
function checkCondition(node: CondNode, names: string[], report: (message: string, offset?: number) => void) {
  switch (node.kind) {
    case "id":
      if (!names.includes(node.name)) report(`undefined search identifier "${node.name}"`, node.offset);
      return;
    case "and":
    case "or":
      checkCondition(node.left, names, report);
      checkCondition(node.right, names, report);
      return;
    case "not":
      checkCondition(node.operand, names, report);
      return;
    case "of": {
      const selected = selectIdentifiers(node.pattern, names);
      const what = node.pattern === null ? "them" : `"${node.pattern}"`;
      if (selected.length === 0) {
        report(
          `${node.pattern === null ? "them (no search identifier)" : what} matches no search identifier`,
          node.offset,
        );
      } else if (node.atLeast !== undefined && node.atLeast > selected.length) {
        report(
          `"${node.atLeast} of" needs at least ${node.atLeast} identifiers; ${what} matches ${selected.length}`,
          node.offset,
        );
      }
    }
  }
}
