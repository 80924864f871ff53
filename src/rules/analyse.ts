// Analyse pass: lint warnings on a rule that loads. Warnings never stop loading; each has a stable code
// (documented in docs/rules.md) and a place in the file.
import { checkFieldPath } from "./cloudtrail-fields.ts";
import type { DetectionModel, RuleModel, SourcePos } from "./model.ts";
import type { RulePins } from "./types.ts";

export const WARNING_CODES = {
  /** A field name CloudTrail records do not have (with a near-miss suggestion when there is one). */
  unknownField: "UNKNOWN_FIELD",
  /** The rule pins neither eventSource nor eventName: it is tried on every record. */
  unpinned: "UNPINNED_RULE",
  /** The rule's status is deprecated. */
  deprecated: "DEPRECATED_STATUS",
} as const;

export interface Warning {
  code: string;
  message: string;
  pos: SourcePos;
}

export function analyseRule(model: RuleModel, pins: RulePins): Warning[] {
  const out = fieldWarnings(model.detection);
  if (!pins.eventName && !pins.eventSource) {
    out.push({
      code: WARNING_CODES.unpinned,
      message:
        "the rule pins neither eventSource nor eventName, so it is tried on every record; " +
        "require one of them (plain values) in a selection the condition always needs",
      pos: model.detection.conditions[0]?.pos ?? model.pos,
    });
  }
  if (model.status === "deprecated") {
    out.push({
      code: WARNING_CODES.deprecated,
      message: "the rule's status is deprecated: replace it by its successor or remove it",
      pos: model.statusPos ?? model.pos,
    });
  }
  return out;
}

/** UNKNOWN_FIELD for every item field (and fieldref target) CloudTrail records do not have. */
export function fieldWarnings(detection: DetectionModel): Warning[] {
  const out: Warning[] = [];
  const check = (field: string, path: readonly string[], pos: SourcePos) => {
    const verdict = checkFieldPath(path);
    if (!verdict) return;
    const known = path.slice(0, verdict.unknownAt).join(".");
    let message: string;
    if (verdict.belowLeaf)
      message = `field "${field}" goes below "${known}", which CloudTrail records as a plain value`;
    else message = `field "${field}" is not in CloudTrail records`;
    if (verdict.suggestion) message += `; did you mean "${verdict.suggestion}"?`;
    out.push({ code: WARNING_CODES.unknownField, message, pos });
  };
  for (const sel of detection.selections) {
    for (const items of sel.alternatives) {
      for (const item of items) {
        if (item.keyword) continue;
        check(item.field, item.path, item.pos);
        if (item.modifiers.some((m) => m.name === "fieldref")) {
          for (const v of item.values)
            if (typeof v.value === "string") check(v.value, v.value.split("."), v.pos);
        }
      }
    }
  }
  return out;
}
