// Waivers (a mutelist): accepted FAIL findings, reported as WAIVED with the waiver that covers them.
// A waiver past its `expires` date no longer applies; it is reported as expired, and the findings it
// would have covered stay FAIL and say so. ERROR findings are never waived: an unknown stays unknown.
// Pure: the same findings, waivers and date always give the same answer.
import type { WaiverConfig } from "../config/types.ts";
import type { Finding } from "./finding.ts";
import { globMatch } from "./policy/glob.ts";

export interface WaiverReport extends WaiverConfig {
  state: "active" | "expired";
  /** Findings it waived (active) or would have waived (expired). */
  matched: number;
}

function matches(w: WaiverConfig, f: Finding): boolean {
  const field = (pattern: string | undefined, value: string | undefined) =>
    pattern === undefined || globMatch(pattern, value ?? "");
  return (
    globMatch(w.check, f.check) &&
    field(w.account, f.accountId) &&
    field(w.region, f.region) &&
    field(w.resource, f.resource)
  );
}

/** The last instant a waiver applies: a bare date runs to the end of that UTC day. */
function expiry(w: WaiverConfig): number | undefined {
  if (!w.expires) return undefined;
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(w.expires);
  return Date.parse(bare ? `${w.expires}T23:59:59.999Z` : w.expires);
}

export function applyWaivers(
  findings: readonly Finding[],
  waivers: readonly WaiverConfig[],
  now: Date,
): { findings: Finding[]; waivers: WaiverReport[] } {
  const reports: WaiverReport[] = waivers.map((w) => {
    const until = expiry(w);
    return { ...w, state: until !== undefined && until < now.getTime() ? "expired" : "active", matched: 0 };
  });
  const out = findings.map((f) => {
    if (f.status !== "FAIL") return f;
    const active = reports.find((w) => w.state === "active" && matches(w, f));
    if (active) {
      active.matched++;
      const waiver: NonNullable<Finding["waiver"]> = { reason: active.reason };
      if (active.owner) waiver.owner = active.owner;
      if (active.expires) waiver.expires = active.expires;
      return { ...f, status: "WAIVED" as const, waiver };
    }
    const expired = reports.find((w) => w.state === "expired" && matches(w, f));
    if (!expired) return f;
    expired.matched++;
    return { ...f, message: `${f.message} (a waiver for it expired ${expired.expires}: ${expired.reason})` };
  });
  return { findings: out, waivers: reports };
}
