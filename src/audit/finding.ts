// What a check says about one account, region or trail. The report and the daemon read these.
import type { PolicyConfig } from "../config/types.ts";
import type { Inventory } from "./inventory.ts";

/** WAIVED: a FAIL that a configured waiver accepts; exit codes count it as PASS. */
export type FindingStatus = "PASS" | "FAIL" | "ERROR" | "WAIVED";
export type Severity = "critical" | "high" | "medium" | "low" | "informational";

export interface Finding {
  check: string;
  status: FindingStatus;
  severity: Severity;
  accountId: string;
  accountName?: string;
  region?: string;
  /** The trail ARN (or bucket/topic) the finding is about. */
  resource?: string;
  message: string;
  remediation: string;
  compliance?: string[];
  /** trail-coverage PASS: the ARNs of the trails that cover the region. */
  trails?: string[];
  /** ERROR findings: the AWS call that could not be made, so an operator can fix access. */
  error?: { service: string; operation: string; code: string; region?: string; accountId?: string };
  /** WAIVED findings: the waiver that accepts them. */
  waiver?: { reason: string; owner?: string; expires?: string };
}

export interface Check {
  id: string;
  title: string;
  severity: Severity;
  /** Control ids (FRAMEWORK:ID) whose catalog entry lists this check (src/audit/compliance/catalog.ts). */
  compliance: string[];
  remediation: string;
  /** Pure: the same inventory and policy always give the same findings. */
  run(inventory: Inventory, policy: PolicyConfig): Finding[];
}
