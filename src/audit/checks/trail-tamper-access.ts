// trail-tamper-access: who in the trail's own account could stop, delete or change it. Every IAM
// user and role is evaluated (identity policies, groups, boundary, SCPs) for the five calls that
// silence a trail; anyone allowed who is not in policy.trailAdmins fails the trail.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { evaluateIdentity } from "../policy/evaluate.ts";
import { identityPrincipals, isTrailAdmin, listOffenders, scpsOf, shortArn } from "./iam-support.ts";
import { describeError, finding, trailLabel, trailViews } from "./support.ts";

export const TRAIL_TAMPER_ACTIONS = [
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "cloudtrail:PutInsightSelectors",
];

export const trailTamperAccess: Check = {
  id: "trail-tamper-access",
  title: "Only trail administrators can stop, delete or change a trail",
  severity: "high",
  compliance: controlsFor("trail-tamper-access"),
  remediation:
    "Remove cloudtrail:StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors and PutInsightSelectors from everyone but the trail administrators (scope wildcards such as cloudtrail:* or *), or add an SCP that denies them except to a break-glass role (ArnNotLike aws:PrincipalArn); list legitimate administrators in policy.trailAdmins.",
  run(inventory, policy) {
    const out: Finding[] = [];
    for (const { trail, account } of trailViews(inventory)) {
      const base = { account, region: trail.homeRegion, resource: trail.arn };
      const label = trailLabel(trail);
      if (account.id !== trail.ownerAccountId) {
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "ERROR",
            message: `${label} belongs to account ${trail.ownerAccountId}, which is not audited: who can change it is unknown`,
          }),
        );
        continue;
      }
      if (account.iamError || !account.iam) {
        const why = account.iamError ? describeError(account.iamError) : "IAM was not collected";
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "ERROR",
            message: `who can change ${label} is unknown: ${why}`,
            error: account.iamError,
          }),
        );
        continue;
      }
      const scps = scpsOf(account);
      const offenders: { who: string; actions: string[] }[] = [];
      const unknown = new Set<string>();
      const notes = new Set<string>();
      for (const p of identityPrincipals(account)) {
        if (isTrailAdmin(p.arn, policy.trailAdmins)) continue;
        const allowed: string[] = [];
        for (const action of TRAIL_TAMPER_ACTIONS) {
          const d = evaluateIdentity(p, action, trail.arn, scps.chain);
          for (const n of d.unresolved) notes.add(`${shortArn(p.arn)}: ${n}`);
          if (d.allowed) allowed.push(action.replace("cloudtrail:", ""));
          else if (d.unknown) unknown.add(`${shortArn(p.arn)} (${d.unknown})`);
        }
        if (allowed.length) offenders.push({ who: shortArn(p.arn), actions: allowed });
      }
      const unresolved = notes.size
        ? `; unresolved conditions: ${[...notes].slice(0, 3).join("; ")}${notes.size > 3 ? ` and ${notes.size - 3} more` : ""}`
        : "";
      if (offenders.length && scps.error) {
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "ERROR",
            message: `${offenders.length} principal(s) outside policy.trailAdmins may change ${label} unless an SCP stops them, and the SCPs could not be read (${describeError(scps.error)}): ${listOffenders(offenders)}`,
            error: scps.error,
          }),
        );
      } else if (offenders.length) {
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "FAIL",
            message: `${offenders.length} principal(s) outside policy.trailAdmins can stop, delete or change ${label}: ${listOffenders(offenders)} (${scps.note})${unresolved}`,
          }),
        );
      } else if (unknown.size) {
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "ERROR",
            message: `who can change ${label} is unknown: policies could not be read for ${[...unknown].slice(0, 5).join(", ")}`,
          }),
        );
      } else {
        out.push(
          finding(trailTamperAccess, {
            ...base,
            status: "PASS",
            message: `no IAM principal of account ${account.id} outside policy.trailAdmins can stop, delete or change ${label} (${scps.note})${unresolved}`,
          }),
        );
      }
    }
    return out;
  },
};
