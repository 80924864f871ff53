// What ingestion needs from a rule engine. Structural: the rules engine's RuleSet satisfies it, so
// logs/ never imports rules/ (they are wired together in cli/ and daemon/).
import type { CorrelationEventLike } from "./correlator.ts";

export interface RuleMatch {
  id: string;
  title: string;
  level: string;
  tags?: readonly string[];
  description?: string;
  falsepositives?: readonly string[];
  references?: readonly string[];
  /** Why the rule matched this record (selections and field values); called only after a match. */
  explain?(record: Record<string, unknown>): { selections: string[]; fields: Record<string, string> };
  /** Set when correlations use this rule: the event they need of a match, and whether the match is emitted. */
  correlation?: { emit: boolean; project(record: Record<string, unknown>): CorrelationEventLike };
}

export interface Detector {
  /**
   * The rules matching one CloudTrail record (a parsed JSON object). Rules are judged independently:
   * a rule that throws is reported to `onError` (by its id) and the others still give their verdicts.
   */
  evaluate(
    record: Record<string, unknown>,
    onError?: (rule: { id: string }, error: unknown) => void,
  ): readonly RuleMatch[];
}
