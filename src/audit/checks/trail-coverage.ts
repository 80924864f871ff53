// trail-coverage: every audited region of every account is covered by a logging trail that records
// read and write management events (home trail, multi-region shadow, or organization trail).
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import type { AccountInventory, Inventory, RegionView, TrailRecord } from "../inventory.ts";
import { coverageWords, managementCoverage } from "./management.ts";
import { accountErrorMessage, describeError, finding, statusOf, trailLabel } from "./support.ts";

export const trailCoverage: Check = {
  id: "trail-coverage",
  title: "Every region is covered by a logging trail recording read and write management events",
  severity: "high",
  compliance: controlsFor("trail-coverage"),
  remediation:
    "Create a multi-region trail (or an organization trail) that is logging and records all management events, read and write: aws cloudtrail create-trail --is-multi-region-trail ... && aws cloudtrail start-logging.",
  run(inventory) {
    const out: Finding[] = [];
    for (const account of inventory.accounts) {
      if (account.error) {
        const regions = account.regions.length ? account.regions : [undefined];
        for (const region of regions)
          out.push(
            finding(trailCoverage, {
              status: "ERROR",
              account,
              region,
              message: accountErrorMessage(account),
              error: account.error,
            }),
          );
        continue;
      }
      for (const view of account.regionViews) out.push(judgeRegion(trailCoverage, inventory, account, view));
    }
    return out;
  },
};

function judgeRegion(
  check: Check,
  inventory: Inventory,
  account: AccountInventory,
  view: RegionView,
): Finding {
  const base = { account, region: view.region };
  if (view.error)
    return finding(check, {
      ...base,
      status: "ERROR",
      message: `could not list the trails of ${view.region}: ${describeError(view.error)}`,
      error: view.error,
    });
  const trails = view.trailArns
    .map((arn) => account.trails.find((t) => t.arn === arn))
    .filter((t): t is TrailRecord => t !== undefined);
  const covering: TrailRecord[] = [];
  // A source is left out when every covering trail recording that direction excludes it.
  let readExcluded: Set<string> | undefined;
  let writeExcluded: Set<string> | undefined;
  const intersect = (acc: Set<string> | undefined, next: string[]) =>
    new Set(acc === undefined ? next : next.filter((x) => acc.has(x)));
  const unknown: string[] = [];
  const reasons: string[] = [];
  let read = false;
  let write = false;
  let possiblyRead = false;
  let possiblyWrite = false;
  for (const t of trails) {
    const coverage = managementCoverage(t, inventory);
    const known = statusOf(t, inventory);
    const logging = known.status?.isLogging;
    if (logging === false) {
      reasons.push(`${trailLabel(t)} is not logging`);
      continue;
    }
    if (!coverage.known) {
      unknown.push(`${trailLabel(t)}: ${coverage.reason}`);
      possiblyRead = possiblyWrite = true;
      continue;
    }
    for (const r of coverage.restricted) reasons.push(`${trailLabel(t)}: ${r}`);
    if (!coverage.read && !coverage.write) {
      reasons.push(`${trailLabel(t)} records no management events`);
      continue;
    }
    if (logging === undefined) {
      unknown.push(`${trailLabel(t)}: whether it is logging is unknown: ${known.reason}`);
      possiblyRead ||= coverage.read;
      possiblyWrite ||= coverage.write;
      continue;
    }
    covering.push(t);
    read ||= coverage.read;
    write ||= coverage.write;
    if (coverage.read) readExcluded = intersect(readExcluded, coverage.excludedSources);
    if (coverage.write) writeExcluded = intersect(writeExcluded, coverage.excludedSources);
    if (!(coverage.read && coverage.write))
      reasons.push(`${trailLabel(t)} records ${coverageWords(coverage)} management events`);
  }
  const names = covering.map((t) => trailLabel(t)).join(", ");
  if (read && write) {
    const excluded = [...new Set([...(readExcluded ?? []), ...(writeExcluded ?? [])])].sort();
    const exclusions = excluded.length
      ? `; management events from ${excluded.join(", ")} are excluded (ExcludeManagementEventSources)`
      : "";
    // CIS 4.1 and FSBP CloudTrail.1 ask for one multi-region trail recording both kinds.
    const multiRegion = covering.some((t) => {
      const c = managementCoverage(t, inventory);
      return t.isMultiRegion && c.known && c.read && c.write;
    });
    return finding(check, {
      ...base,
      status: "PASS",
      message: `covered by ${names}${exclusions}${multiRegion ? "" : "; no single multi-region trail records both read and write events here, as CIS 4.1 and FSBP CloudTrail.1 ask"}`,
      compliance: multiRegion ? undefined : [],
      trails: covering.map((t) => t.arn),
    });
  }
  if ((read || possiblyRead) && (write || possiblyWrite)) {
    const cause = trails
      .map((t) => statusOf(t, inventory).error ?? t.selectorsError)
      .find((e) => e !== undefined);
    return finding(check, {
      ...base,
      status: "ERROR",
      message: `coverage of ${view.region} cannot be determined: ${unknown.join("; ")}`,
      error: cause,
    });
  }
  const what =
    trails.length === 0
      ? "no trail covers this region"
      : `no logging trail records read and write management events here (${reasons.join("; ")})`;
  return finding(check, { ...base, status: "FAIL", message: what });
}
