// The report's compliance section: each control of each framework, PASS, FAIL, ERROR or
// NOT_EVALUATED, from the findings that carry its id. Pure.
import type { Finding } from "../finding.ts";
import { FRAMEWORKS } from "./catalog.ts";

export type ControlStatus = "PASS" | "FAIL" | "ERROR" | "NOT_EVALUATED";

export interface ControlResult {
  id: string;
  title: string;
  status: ControlStatus;
  checks: string[];
  findings: { PASS: number; FAIL: number; ERROR: number; WAIVED: number };
  note?: string;
}

export interface FrameworkResult {
  framework: string;
  title: string;
  controls: ControlResult[];
}

/**
 * Any FAIL fails an "all" control, one PASS satisfies an "any" one. A WAIVED finding is an accepted
 * failure: it passes the exit code, but the control it bears on is still not met.
 */
export function evaluateCompliance(findings: readonly Finding[]): FrameworkResult[] {
  return FRAMEWORKS.map((f) => ({
    framework: f.id,
    title: f.title,
    controls: f.controls.map((c): ControlResult => {
      const tag = `${f.id}:${c.id}`;
      const counts = { PASS: 0, FAIL: 0, ERROR: 0, WAIVED: 0 };
      for (const x of findings) if (x.compliance?.includes(tag)) counts[x.status]++;
      const failed = counts.FAIL + counts.WAIVED;
      let status: ControlStatus;
      if (c.mode === "any")
        status = counts.PASS ? "PASS" : counts.ERROR ? "ERROR" : failed ? "FAIL" : "NOT_EVALUATED";
      else status = failed ? "FAIL" : counts.ERROR ? "ERROR" : counts.PASS ? "PASS" : "NOT_EVALUATED";
      const r: ControlResult = { id: c.id, title: c.title, status, checks: [...c.checks], findings: counts };
      if (c.note) r.note = c.note;
      return r;
    }),
  }));
}
