// The rule engine's public shapes (see contracts.md, "Rules engine").
import type { RuleSelection } from "../config/types.ts";
import type { CorrelationProjection } from "./correlation/types.ts";
import type { RecordTest } from "./entry.ts";
import type { MatchExplanation } from "./explain.ts";

export type { MatchExplanation } from "./explain.ts";

/** One reason a rule file (or rule test file) could not be used, located in its source. */
export interface RuleProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  ruleId?: string;
  ruleTitle?: string;
}

/** A lint warning on a rule that loads: a stable code (docs/rules.md, "Lint warnings"), located. */
export interface RuleWarning extends RuleProblem {
  code: string;
}

export interface LoadRulesOptions {
  /** Values for `|expand` placeholders: `%name%` → one or more values (which may hold wildcards). */
  placeholders?: Record<string, string[]>;
  /** Which rules load (rules.includeStatuses, select, exclude); default: every status but deprecated, unsupported. */
  selection?: RuleSelection;
}

/** What a rule requires of eventName / eventSource (lowercased), when it pins them. Used by the index. */
export interface RulePins {
  eventName?: ReadonlySet<string>;
  eventSource?: ReadonlySet<string>;
}

export interface CompiledRule {
  id: string;
  title: string;
  level: string;
  tags: string[];
  description?: string;
  falsepositives?: string[];
  status?: string;
  author?: string;
  references?: string[];
  logsource: Record<string, string>;
  /** The rule file, and where the rule starts in it. */
  file: string;
  line: number;
  column: number;
  pins: RulePins;
  /** Whether this rule matches one record. */
  matches(record: Record<string, unknown>): boolean;
  /** The compiled detection, without the per-record reset that `matches` does (RuleSet's hot path). */
  readonly test: RecordTest;
  /**
   * `test` for records the caller has already checked against `pins` on the given fields (the index
   * does): entries those checks imply are left out. Gives the same answer as `test` on such records.
   */
  specialize(implied: readonly ("eventName" | "eventSource")[]): RecordTest;
  /**
   * Why this rule matched `record`: the selections that matched and the values of their fields.
   * Only for a record the rule matched; it evaluates the selections again, so it is not for the hot path.
   */
  explain(record: Record<string, unknown>): MatchExplanation;
  /** Set when correlations refer to this rule: what they need of its matches, and whether it emits. */
  correlation?: CorrelationProjection;
}
