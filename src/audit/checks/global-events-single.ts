// global-events-single: exactly one logging trail per account carries global service events (IAM,
// STS, CloudFront). Trails are counted by ARN. Since Nov 2021 global events are delivered in
// us-east-1 only, so a single-region trail elsewhere does not count even with the flag set.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import type { TrailRecord } from "../inventory.ts";
import { accountErrorMessage, describeError, finding, statusOf, trailLabel } from "./support.ts";

const GLOBAL_REGION = "us-east-1";

function receivesGlobalEvents(t: TrailRecord): boolean {
  return t.includeGlobalServiceEvents && (t.isMultiRegion || t.homeRegion === GLOBAL_REGION);
}

export const globalEventsSingle: Check = {
  id: "global-events-single",
  title: "Exactly one logging trail per account records global service events",
  severity: "medium",
  compliance: controlsFor("global-events-single"),
  remediation:
    "Keep IncludeGlobalServiceEvents on one multi-region trail (or the organization trail) and turn it off on the others (aws cloudtrail update-trail --name <trail> --no-include-global-service-events); if none has it, create a multi-region trail.",
  run(inventory) {
    const out: Finding[] = [];
    for (const account of inventory.accounts) {
      const base = { account };
      if (account.error) {
        out.push(
          finding(globalEventsSingle, {
            ...base,
            status: "ERROR",
            message: accountErrorMessage(account),
            error: account.error,
          }),
        );
        continue;
      }
      const candidates = account.trails.filter(receivesGlobalEvents);
      const logging = candidates.filter((t) => statusOf(t, inventory).status?.isLogging === true);
      const unknown = candidates.filter((t) => !statusOf(t, inventory).status);
      const misplaced = account.trails.filter(
        (t) => t.includeGlobalServiceEvents && !receivesGlobalEvents(t),
      );
      const note = misplaced.length
        ? `; ${misplaced.map(trailLabel).join(", ")} ${misplaced.length === 1 ? "has" : "have"} IncludeGlobalServiceEvents but, single-region outside us-east-1, receive none since Nov 2021`
        : "";
      // Single-region trails homed in us-east-1 are listed only there.
      const east = account.regionViews.find((v) => v.region === GLOBAL_REGION);
      const blind = !east
        ? "us-east-1 was not audited, so single-region trails there are unknown"
        : east.error
          ? `the trails of us-east-1 could not be listed: ${describeError(east.error)}`
          : undefined;
      if (logging.length >= 2) {
        out.push(
          finding(globalEventsSingle, {
            ...base,
            status: "FAIL",
            message: `${logging.length} logging trails record global service events, so each is recorded ${logging.length} times: ${logging.map(trailLabel).join(", ")}${note}`,
          }),
        );
      } else if (unknown.length || blind) {
        const why = [
          ...unknown.map(
            (t) => `whether ${trailLabel(t)} is logging is unknown: ${statusOf(t, inventory).reason}`,
          ),
          ...(blind ? [blind] : []),
        ];
        out.push(
          finding(globalEventsSingle, {
            ...base,
            status: "ERROR",
            message: `the number of trails recording global service events cannot be determined: ${why.join("; ")}`,
            error: east?.error ?? (unknown[0] && statusOf(unknown[0], inventory).error),
          }),
        );
      } else if (logging.length === 1) {
        out.push(
          finding(globalEventsSingle, {
            ...base,
            status: "PASS",
            message: `global service events are recorded once, by ${trailLabel(logging[0])}${note}`,
          }),
        );
      } else {
        out.push(
          finding(globalEventsSingle, {
            ...base,
            status: "FAIL",
            message: `no logging trail records global service events: IAM, STS and CloudFront activity goes unrecorded${note}`,
          }),
        );
      }
    }
    return out;
  },
};
