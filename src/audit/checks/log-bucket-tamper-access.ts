// log-bucket-tamper-access: who could delete the log files or loosen the log bucket. IAM users and
// roles of the bucket's account are evaluated (identity policies, boundary, SCPs, and the bucket
// policy's grants and denies for them); any other principal, account or `*` the bucket policy
// grants one of these actions counts too. CloudTrail's own PutObject is not among them.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import { type PolicyDocument, parsePolicy } from "../policy/document.ts";
import { evaluateIdentity } from "../policy/evaluate.ts";
import { callerOf, grantsTo, resourcePolicyGrants } from "../policy/resource-policy.ts";
import { type BucketView, bucketViews, logObjectArns, unknownBecause } from "./bucket-support.ts";
import { identityPrincipals, isTrailAdmin, listOffenders, scpsOf, shortArn } from "./iam-support.ts";
import { describeError, finding } from "./support.ts";

/** Actions on the objects (log files) and on the bucket itself. */
const OBJECT_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion"];
const BUCKET_ACTIONS = [
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:DeleteBucket",
];
export const BUCKET_TAMPER_ACTIONS = [...OBJECT_ACTIONS, ...BUCKET_ACTIONS];

type Offender = { who: string; actions: string[] };

function bucketPolicyDoc(view: BucketView): PolicyDocument | undefined | { error: string } {
  const policy = view.bucket.policy?.value;
  if (!policy) return undefined;
  if (policy.document === undefined) return { error: policy.error ?? "no document" };
  try {
    return parsePolicy("bucket policy", policy.document);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export const logBucketTamperAccess: Check = {
  id: "log-bucket-tamper-access",
  title: "Only trail administrators can delete log files or loosen the log bucket",
  severity: "high",
  compliance: controlsFor("log-bucket-tamper-access"),
  remediation:
    "Remove s3:DeleteObject, DeleteObjectVersion, PutBucketPolicy, DeleteBucketPolicy, PutLifecycleConfiguration, PutBucketVersioning and DeleteBucket on the log bucket from everyone but the trail administrators (identity policies with s3:* or *, and bucket policy grants to other accounts or *); add a bucket policy Deny for them except the break-glass role, and list legitimate administrators in policy.trailAdmins.",
  run(inventory, policy) {
    const out: Finding[] = [];
    for (const view of bucketViews(inventory)) {
      const { bucket, account, owner } = view;
      const base = { account, resource: view.arn };
      const error = (message: string, e?: Parameters<typeof finding>[1]["error"]) =>
        out.push(finding(logBucketTamperAccess, { ...base, status: "ERROR", message, error: e }));
      if (!owner || bucket.error) {
        error(
          `who can tamper with log bucket ${bucket.name} is unknown: ${bucket.error?.message ?? "its account is not audited"}`,
          bucket.error,
        );
        continue;
      }
      const policyUnknown = unknownBecause(bucket, bucket.policy);
      if (policyUnknown) {
        error(
          `the policy of log bucket ${bucket.name} could not be read: ${policyUnknown.reason}`,
          policyUnknown.error,
        );
        continue;
      }
      if (owner.iamError || !owner.iam) {
        const why = owner.iamError ? describeError(owner.iamError) : "IAM was not collected";
        error(
          `who in account ${owner.id} can tamper with log bucket ${bucket.name} is unknown: ${why}`,
          owner.iamError,
        );
        continue;
      }
      const doc = bucketPolicyDoc(view);
      if (doc && "error" in doc) {
        error(`the policy of log bucket ${bucket.name} is not a readable policy document: ${doc.error}`);
        continue;
      }
      const objects = logObjectArns(view);
      const resourcesFor = (action: string) => (OBJECT_ACTIONS.includes(action) ? objects : [view.arn]);
      const scps = scpsOf(owner);
      const offenders: Offender[] = [];
      const notes = new Set<string>();
      const unknown: string[] = [];
      for (const p of identityPrincipals(owner)) {
        if (isTrailAdmin(p.arn, policy.trailAdmins)) continue;
        const reduced = doc ? grantsTo(doc, callerOf("AWS", p.arn)) : undefined;
        const allowed: string[] = [];
        for (const action of BUCKET_TAMPER_ACTIONS)
          for (const resource of resourcesFor(action)) {
            const d = evaluateIdentity(p, action, resource, scps.chain, reduced);
            for (const n of d.unresolved) notes.add(`${shortArn(p.arn)}: ${n}`);
            if (d.unknown) unknown.push(shortArn(p.arn));
            if (!d.allowed) continue;
            allowed.push(action.replace("s3:", ""));
            break;
          }
        if (allowed.length) offenders.push({ who: shortArn(p.arn), actions: allowed });
      }
      // Grants of the bucket policy to anyone else: other accounts, services, `*`.
      const external = new Map<string, Offender>();
      for (const g of doc ? resourcePolicyGrants(doc, BUCKET_TAMPER_ACTIONS, [view.arn, ...objects]) : []) {
        const { caller } = g;
        const sameAccountIdentity = caller.accountId === owner.id && caller.kind !== "anyone";
        if (sameAccountIdentity || isTrailAdmin(caller.arn, policy.trailAdmins)) continue;
        for (const n of g.unresolved) notes.add(`${caller.arn}: ${n}`);
        const who = caller.kind === "anyone" ? "anyone (*)" : caller.arn;
        const o = external.get(who) ?? { who, actions: [] };
        o.actions.push(g.action.replace("s3:", ""));
        external.set(who, o);
      }
      offenders.push(...external.values());
      const unresolved = notes.size
        ? `; unresolved conditions: ${[...notes].slice(0, 3).join("; ")}${notes.size > 3 ? ` and ${notes.size - 3} more` : ""}`
        : "";
      if (offenders.length) {
        const scpUnknown = scps.error && offenders.length > external.size;
        out.push(
          finding(logBucketTamperAccess, {
            ...base,
            status: scpUnknown && external.size === 0 ? "ERROR" : "FAIL",
            message: `${offenders.length} principal(s) outside policy.trailAdmins can delete log files or loosen log bucket ${bucket.name}: ${listOffenders(offenders)} (${scps.note})${unresolved}`,
            error: scpUnknown && external.size === 0 ? scps.error : undefined,
          }),
        );
      } else if (unknown.length) {
        error(
          `who can tamper with log bucket ${bucket.name} is unknown: policies could not be read for ${[...new Set(unknown)].slice(0, 5).join(", ")}`,
        );
      } else {
        out.push(
          finding(logBucketTamperAccess, {
            ...base,
            status: "PASS",
            message: `no principal outside policy.trailAdmins can delete log files or loosen log bucket ${bucket.name} (${scps.note})${unresolved}`,
          }),
        );
      }
    }
    return out;
  },
};
