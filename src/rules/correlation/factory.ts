// Builds the correlation engine for a scan from the loaded correlations and the configuration.
import { CORRELATION_NAMESPACE, CorrelationEngine, type CorrelationKeyValue } from "./engine.ts";
import type { CorrelationSet } from "./resolve.ts";

export interface CorrelationSettings {
  latenessMinutes: number;
  maxGroups: number;
  maxEventIds: number;
}

/** A factory for runScan/scanLocal, or undefined when no correlation rule is loaded. */
export function correlatorFactory(
  set: CorrelationSet,
  settings: CorrelationSettings,
  now?: () => number,
):
  | ((kv: CorrelationKeyValue & { entries(ns: string): Iterable<[string, unknown]> }) => CorrelationEngine)
  | undefined {
  if (set.correlations.length === 0) return undefined;
  return (kv) =>
    new CorrelationEngine(set, kv, kv.entries(CORRELATION_NAMESPACE), {
      latenessMs: settings.latenessMinutes * 60_000,
      maxGroups: settings.maxGroups,
      maxEventIds: settings.maxEventIds,
      now,
    });
}

/** Defaults when a one-off scan has no configuration file. */
export const DEFAULT_CORRELATION_SETTINGS: CorrelationSettings = {
  latenessMinutes: 15,
  maxGroups: 100_000,
  maxEventIds: 20,
};
