// Sigma correlation rules (specification v2, types from 2.1): what a correlation document parses to,
// and the small event the engine consumes. The event is all the engine needs of a record, so it can
// be computed where the record is (a worker thread) and consumed where the commits are.

export const CORRELATION_TYPES = [
  "event_count",
  "value_count",
  "temporal",
  "temporal_ordered",
  "value_sum",
  "value_avg",
  "value_percentile",
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export const CONDITION_OPERATORS = ["gt", "gte", "lt", "lte", "eq", "neq"] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** The condition: every operator given must hold (the spec combines them into ranges with AND). */
export interface CorrelationCondition {
  ops: { op: ConditionOperator; value: number }[];
  /** value_count / value_sum / value_avg / value_percentile: the field (or alias) measured. */
  field?: string;
  /** value_percentile: which percentile (1-100). */
  percentile?: number;
}

/** A parsed correlation document, before its references are resolved. */
export interface CorrelationDef {
  id: string;
  /** The `name` other correlations may refer to it by. */
  name?: string;
  title: string;
  level: string;
  tags: string[];
  description?: string;
  falsepositives?: string[];
  references?: string[];
  status?: string;
  author?: string;
  type: CorrelationType;
  /** References to base rules or correlations, by id or name, as written. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  timespan: string;
  condition: CorrelationCondition;
  /** alias → (rule reference → field path in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  file: string;
  line: number;
  column: number;
  /** Where `rules[i]` is written, for located resolution errors. */
  rulePositions: { line: number; column: number }[];
}

/** What a correlation needs of one base-rule match (or of one firing of a correlation it chains). */
export interface CorrelationEvent {
  /** The rule that matched (base rule id, or the chained correlation's id). */
  ruleId: string;
  /** The record's eventID (or the chained correlation detection's id). */
  eventID: string;
  /** The record's eventTime, ISO 8601. */
  eventTime: string;
  /** The projected fields, by the name the correlation uses (group-by field or alias, measured field). */
  values: Record<string, string | number | null>;
}

/** What a base rule referenced by correlations carries (CompiledRule.correlation). */
export interface CorrelationProjection {
  /** Whether the rule's own matches are emitted as detections (false unless a referencing correlation says generate: true). */
  emit: boolean;
  /** Record field paths the correlations need (group-by fields, aliases' fields, measured fields). */
  fields: readonly string[];
  /** The small event the correlation engine consumes, for one record this rule matched. */
  project(record: Record<string, unknown>): CorrelationEvent;
}
