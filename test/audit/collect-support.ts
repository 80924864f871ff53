// Shared names for the collection tests.
import type { Finding } from "../../src/audit/finding.ts";

export const SEC = "100000000000"; // where the auditor's base credentials live
export const A = "111111111111";
export const B = "222222222222";
export const MGMT = "999999999999";

export const statusOf = (findings: Finding[], check: string, accountId: string, region?: string) =>
  findings.find(
    (f) => f.check === check && f.accountId === accountId && (region === undefined || f.region === region),
  )?.status;
