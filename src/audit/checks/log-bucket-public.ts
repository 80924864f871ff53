// log-bucket-public: the log bucket grants nothing to the public, through its policy (a `*` grant
// with no restricting condition) or its ACL (AllUsers, AuthenticatedUsers), unless Block Public
// Access, on the bucket or the account, neutralises that kind of grant.
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import type { PublicAccessBlock } from "../inventory.ts";
import { parsePolicy } from "../policy/document.ts";
import { publicStatements } from "../policy/resource-policy.ts";
import { bucketViews, unknownBecause } from "./bucket-support.ts";
import { finding } from "./support.ts";

const PUBLIC_GROUPS: Record<string, string> = {
  "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
};

export const logBucketPublic: Check = {
  id: "log-bucket-public",
  title: "The log bucket is not publicly accessible",
  severity: "critical",
  compliance: controlsFor("log-bucket-public"),
  remediation:
    "Turn on S3 Block Public Access for the log bucket (and the account), remove `*` grants from its policy or pin them with aws:SourceAccount / aws:PrincipalOrgID, and remove AllUsers / AuthenticatedUsers ACL grants.",
  run(inventory) {
    const out: Finding[] = [];
    for (const view of bucketViews(inventory)) {
      const { bucket, account, owner } = view;
      const base = { account, resource: view.arn };
      const push = (
        status: Finding["status"],
        message: string,
        error?: Parameters<typeof finding>[1]["error"],
      ) => out.push(finding(logBucketPublic, { ...base, status, message, error }));
      if (!owner || bucket.error) {
        push(
          "ERROR",
          `whether log bucket ${bucket.name} is public is unknown: ${bucket.error?.message ?? "its account is not audited"}`,
          bucket.error,
        );
        continue;
      }
      // Block Public Access: bucket and account settings combine (either one turns a flag on).
      const levels: (PublicAccessBlock | null | undefined)[] = [
        bucket.publicAccessBlock?.value,
        owner.publicAccessBlock,
      ];
      const on = (flag: "restrictPublicBuckets" | "ignorePublicAcls") =>
        levels.some((l) => l?.[flag] === true);
      const bpaUnknown = [
        unknownBecause(bucket, bucket.publicAccessBlock),
        owner.publicAccessBlockError
          ? {
              reason: `account Block Public Access: ${owner.publicAccessBlockError.message}`,
              error: owner.publicAccessBlockError,
            }
          : undefined,
      ].filter((u) => u !== undefined);
      const problems: string[] = [];
      const unknowns: { reason: string; error?: Parameters<typeof finding>[1]["error"] }[] = [];
      // Policy
      if (!on("restrictPublicBuckets")) {
        const u = unknownBecause(bucket, bucket.policy);
        if (u) unknowns.push({ reason: `its policy could not be read: ${u.reason}`, error: u.error });
        else if (bucket.policy?.value?.document !== undefined) {
          try {
            const stmts = publicStatements(parsePolicy("bucket policy", bucket.policy.value.document));
            if (stmts.length)
              problems.push(
                `its policy grants to anyone: ${stmts.map((s) => `${s.source} (${s.actions.join(", ")})`).join("; ")}`,
              );
          } catch (err) {
            unknowns.push({ reason: `its policy does not parse: ${(err as Error).message}` });
          }
        } else if (bucket.policy?.value)
          unknowns.push({ reason: `its policy could not be read: ${bucket.policy.value.error}` });
      }
      // ACL
      if (!on("ignorePublicAcls")) {
        const u = unknownBecause(bucket, bucket.acl);
        if (u) unknowns.push({ reason: `its ACL could not be read: ${u.reason}`, error: u.error });
        else {
          const open = (bucket.acl?.value?.grants ?? []).filter((g) => PUBLIC_GROUPS[g.grantee]);
          if (open.length)
            problems.push(
              `its ACL grants ${open.map((g) => `${g.permission} to ${PUBLIC_GROUPS[g.grantee]}`).join(", ")}`,
            );
        }
      }
      if (problems.length) {
        if (bpaUnknown.length)
          push(
            "ERROR",
            `log bucket ${bucket.name} ${problems.join(" and ")}, and whether Block Public Access neutralises it is unknown: ${bpaUnknown.map((u) => u.reason).join("; ")}`,
            bpaUnknown[0].error,
          );
        else
          push(
            "FAIL",
            `log bucket ${bucket.name} is public: ${problems.join(" and ")}; Block Public Access does not neutralise it`,
          );
      } else if (unknowns.length) {
        push(
          "ERROR",
          `whether log bucket ${bucket.name} is public is unknown: ${unknowns.map((u) => u.reason).join("; ")}`,
          unknowns[0].error,
        );
      } else {
        const bpa =
          on("restrictPublicBuckets") && on("ignorePublicAcls")
            ? "Block Public Access restricts public policies and ignores public ACLs"
            : "no public grant in its policy or ACL";
        push("PASS", `log bucket ${bucket.name} is not public: ${bpa}`);
      }
    }
    return out;
  },
};
