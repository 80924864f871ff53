// A detection: one rule matching one CloudTrail record. Its id depends only on the rule id and the
// record's eventID, so the same record seen twice (two trails, a duplicate notification, a replay
// after a crash) gives the same id and is emitted once.
import { shortId } from "../util/ids.ts";
import type { CorrelationDetail, CorrelationEventLike } from "./correlator.ts";
import type { RuleMatch } from "./detector.ts";

export interface Detection {
  /** sha256(ruleId, eventID), hex, first 32 characters. */
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  eventID: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  recipientAccountId: string;
  sourceIPAddress: string;
  /** userIdentity.arn, or the best available identity of the caller. */
  principal: string;
  userAgent?: string;
  errorCode?: string;
  /** Where the record came from: s3://bucket/key or the local path. */
  logFile: string;
  /** Shared by every detection of the same record (eventID), so a receiver can fold them. */
  groupKey: string;
  /** The selections that matched and the values of the fields they test (capped). */
  match?: { selections: string[]; fields: Record<string, string> };
  description?: string;
  falsepositives?: string[];
  references?: string[];
  /** The raw CloudTrail record, with `output.includeEvent`. */
  event?: Record<string, unknown>;
  /** A correlation detection: what met the correlation's condition (see logs/correlator.ts). */
  correlation?: CorrelationDetail;
  /**
   * Internal, never written: a base rule match that correlations use (the small event they need, and
   * whether the match is emitted itself). Removed by the CorrelatingCommitter before the batch.
   */
  correlationInput?: { event: CorrelationEventLike; emit: boolean };
}

/**
 * How a detection is serialised where it is found (a scan worker), so the thread that commits it
 * neither clones nor re-serialises the whole object: "compact" is JSON.stringify(d) (the store's
 * body); "report" is the detection exactly as the JSON report prints it inside its detections array.
 */
export type DetectionText = "compact" | "report";

/**
 * A detection already serialised: the few fields the committing thread needs (dedupe, counts, the
 * report's order, correlations) and the text. The text never holds correlationInput.
 */
export interface EncodedDetection {
  encoded: DetectionText;
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  eventTime: string;
  eventID: string;
  text: string;
  correlationInput?: Detection["correlationInput"];
}

/** What the scan hands to a committer: a detection object (main thread) or an encoded one (worker). */
export type FoundDetection = Detection | EncodedDetection;

export function isEncoded(d: FoundDetection): d is EncodedDetection {
  return (d as EncodedDetection).encoded !== undefined;
}

/** Report form: the detection at depth 2 of JSON.stringify(report, null, 2), without its indent. */
export function reportText(d: Detection): string {
  // Nesting it twice makes JSON.stringify indent it as the report does; the brackets are cut off.
  const s = JSON.stringify([[d]], null, 2);
  return s.slice(REPORT_PREFIX.length, s.length - REPORT_SUFFIX.length);
}
const REPORT_PREFIX = "[\n  [\n    ";
const REPORT_SUFFIX = "\n  ]\n]";

export function detectionText(d: Detection, form: DetectionText): string {
  return form === "compact" ? JSON.stringify(d) : reportText(d);
}

/** Serialise where found; correlationInput travels beside the text, never in it. */
export function encodeDetection(d: Detection, form: DetectionText): EncodedDetection {
  const correlationInput = d.correlationInput;
  if (correlationInput) delete d.correlationInput;
  const e: EncodedDetection = {
    encoded: form,
    id: d.id,
    ruleId: d.ruleId,
    ruleTitle: d.ruleTitle,
    level: d.level,
    eventTime: d.eventTime,
    eventID: d.eventID,
    text: detectionText(d, form),
  };
  if (correlationInput) e.correlationInput = correlationInput;
  return e;
}

/** The text of a found detection in the form asked for (re-serialised only when it differs). */
export function textOf(d: FoundDetection, form: DetectionText): string {
  if (!isEncoded(d)) return detectionText(d, form);
  return d.encoded === form ? d.text : detectionText(decodeDetection(d), form);
}

/** The detection object (both text forms are JSON). */
export function decodeDetection(d: FoundDetection): Detection {
  return isEncoded(d) ? (JSON.parse(d.text) as Detection) : d;
}

export interface DetectionOptions {
  /** Add the raw record (output.includeEvent). */
  includeEvent?: boolean;
}

export function detectionId(ruleId: string, eventID: string): string {
  return shortId(ruleId, eventID);
}

/** The key every detection of one record shares: sha256("event", eventID), first 32 hex digits. */
export function groupKeyOf(eventID: string): string {
  return shortId("event", eventID);
}

export function toDetection(
  rule: RuleMatch,
  record: Record<string, unknown>,
  logFile: string,
  opts: DetectionOptions = {},
): Detection {
  const eventID = str(record.eventID);
  const d: Detection = {
    id: detectionId(rule.id, eventID),
    ruleId: rule.id,
    ruleTitle: rule.title,
    level: rule.level,
    tags: [...(rule.tags ?? [])],
    eventID,
    eventTime: str(record.eventTime),
    eventSource: str(record.eventSource),
    eventName: str(record.eventName),
    awsRegion: str(record.awsRegion),
    recipientAccountId: str(record.recipientAccountId) || str(obj(record.userIdentity).accountId),
    sourceIPAddress: str(record.sourceIPAddress),
    principal: principalOf(record),
    logFile,
    groupKey: groupKeyOf(eventID),
  };
  if (typeof record.userAgent === "string") d.userAgent = record.userAgent;
  if (typeof record.errorCode === "string") d.errorCode = record.errorCode;
  if (rule.explain) {
    // The explanation is a courtesy: a record it trips over still gives its detection.
    try {
      d.match = rule.explain(record);
    } catch {
      // left out
    }
  }
  if (rule.description) d.description = rule.description;
  if (rule.falsepositives?.length) d.falsepositives = [...rule.falsepositives];
  if (rule.references?.length) d.references = [...rule.references];
  if (opts.includeEvent) d.event = record;
  return d;
}

/** userIdentity.arn; else the session issuer, root of the account, principalId, invoking service. */
export function principalOf(record: Record<string, unknown>): string {
  const ui = obj(record.userIdentity);
  const issuer = obj(obj(ui.sessionContext).sessionIssuer);
  const type = str(ui.type);
  const account = str(ui.accountId);
  return (
    str(ui.arn) ||
    str(issuer.arn) ||
    (type === "Root" && account ? `arn:aws:iam::${account}:root` : "") ||
    (str(ui.principalId) && account ? `${account}:${str(ui.principalId)}` : str(ui.principalId)) ||
    str(ui.invokedBy) ||
    str(ui.userName) ||
    (type ? `${type}${account ? `:${account}` : ""}` : "unknown")
  );
}

function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
