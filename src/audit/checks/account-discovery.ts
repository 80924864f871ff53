// account-discovery: the list of accounts itself could not be read (Organizations ListAccounts).
// Only ERROR findings: the accounts it would have listed are unknown, so nothing can PASS for them.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check } from "../finding.ts";
import { describeError, finding } from "./support.ts";

export const accountDiscovery: Check = {
  id: "account-discovery",
  title: "The accounts to audit could be listed",
  severity: "high",
  compliance: controlsFor("account-discovery"),
  remediation:
    "Run trailwarden in the organization's management account (or a delegated administrator) with organizations:ListAccounts, or list the accounts in `accounts`.",
  run(inventory) {
    return inventory.errors.map((e) =>
      finding(accountDiscovery, {
        status: "ERROR",
        account: { id: e.accountId ?? inventory.callerAccountId ?? "unknown" },
        region: e.region,
        message: `accounts could not be discovered: ${describeError(e)}`,
        error: e,
      }),
    );
  },
};
