// The typed intermediate model of a Sigma rule, between the YAML and the generated closures:
// rule → detection → selections → items {field path, modifiers, values, linking}, each located in its
// source. The passes work on it in order: parse (YAML → model), validate (every problem of the rule),
// analyse (index pins, lint warnings) and generate (closures). The shape follows pySigma's
// SigmaRule / SigmaDetections / SigmaDetection / SigmaDetectionItem.

/** A place in the rule file (1-based). */
export interface SourcePos {
  line: number;
  column: number;
}

/** A YAML path from the document root, for messages that point at a node. */
export type YamlPath = (string | number)[];

/** One `|modifier` of an item, where it is written in the key. */
export interface ModifierRef {
  name: string;
  pos: SourcePos;
}

/** One value of an item as the YAML gives it. */
export interface ItemValue {
  value: string | number | boolean | null;
  pos: SourcePos;
  /** Its YAML path (for offsets inside the scalar). */
  path: YamlPath;
}

/** One `field|modifiers: value(s)` entry, or a keyword (no field) search. */
export interface DetectionItem {
  /** The field as written (dotted path); "" for a keyword. */
  field: string;
  /** The field split at dots; [] for a keyword. */
  path: string[];
  keyword: boolean;
  modifiers: ModifierRef[];
  values: ItemValue[];
  /** Whether the values were written as a YAML list (a list of one is still a list). */
  list: boolean;
  /** How the values combine: OR by default, AND with the `all` modifier. */
  linking: "or" | "and";
  /** Where the key (or, for a keyword, the value) is. */
  pos: SourcePos;
  keyPath: YamlPath;
  valuePath: YamlPath;
}

/**
 * A search identifier: a map (its items ANDed), a list of maps (OR of such ANDs) or keywords. Each
 * alternative is one map's items; keywords are one alternative of one keyword item.
 */
export interface Selection {
  name: string;
  form: "map" | "maps" | "keywords";
  alternatives: DetectionItem[][];
  pos: SourcePos;
  path: YamlPath;
}

export interface ConditionSource {
  text: string;
  pos: SourcePos;
  path: YamlPath;
  /** Where the text starts when it is on one line (offsets inside it are then located exactly). */
  inline?: SourcePos;
}

/** The position `offset` characters into a one-line scalar that starts at `inline`; else `pos`. */
export function offsetPos(
  pos: SourcePos,
  inline: SourcePos | undefined,
  offset: number | undefined,
): SourcePos {
  if (!inline || offset === undefined) return pos;
  return { line: inline.line, column: inline.column + offset };
}

export interface DetectionModel {
  /** Every search identifier as written, also those whose selection did not parse. */
  names: string[];
  selections: Selection[];
  conditions: ConditionSource[];
}

export interface RuleModel {
  file: string;
  pos: SourcePos;
  id: string;
  title: string;
  status?: string;
  statusPos?: SourcePos;
  level: string;
  logsource: Record<string, string>;
  /** The whole YAML map, for the metadata the model does not interpret. */
  doc: Record<string, unknown>;
  detection: DetectionModel;
}
