// The Organizations SCPs that bound each audited account: the account's parents up to the root
// (ListParents), the SCPs attached to each (ListPoliciesForTarget) and their content
// (DescribePolicy). Read with the base credentials (the management account or a delegated
// administrator), each target and policy once however many accounts share it.
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  type PolicySummary,
} from "@aws-sdk/client-organizations";
import type { AwsClients } from "../aws/clients.ts";
import { createLimiter } from "../util/limit.ts";
import { attempt } from "./attempt.ts";
import { policyRecord } from "./collect-iam.ts";
import type { CollectionError, PolicyRecord, ScpSnapshot } from "./inventory.ts";

// Organizations allows a few calls per second per account; stay well under it.
const ORG_CONCURRENCY = 4;

export type ScpReader = (accountId: string) => Promise<{ scps?: ScpSnapshot; error?: CollectionError }>;

class Failed extends Error {
  constructor(readonly error: CollectionError) {
    super(error.message);
  }
}

export function scpReader(clients: AwsClients, signal?: AbortSignal): ScpReader {
  const org = clients.organizations();
  const region = clients.config.region;
  const limit = createLimiter(ORG_CONCURRENCY);
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, f: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = f();
      p.catch(() => undefined);
      memo.set(key, p);
    }
    return p;
  };
  const call = async <T>(operation: string, resource: string, send: () => Promise<T>): Promise<T> => {
    const out = await attempt(
      { service: "organizations", operation, region, resource },
      () => limit(send),
      signal,
    );
    if (!out.ok) throw new Failed(out.error);
    return out.value;
  };

  const management = () =>
    once("org", () =>
      call("DescribeOrganization", "organization", () =>
        org.send(new DescribeOrganizationCommand({}), { abortSignal: signal }),
      ).then((o) => o.Organization?.MasterAccountId),
    );
  const parentOf = (childId: string) =>
    once(`parent:${childId}`, () =>
      call("ListParents", childId, () =>
        org.send(new ListParentsCommand({ ChildId: childId }), { abortSignal: signal }),
      ).then((o) => o.Parents?.[0]),
    );
  const policiesOf = (targetId: string) =>
    once(`target:${targetId}`, async () => {
      const all: PolicySummary[] = [];
      let token: string | undefined;
      do {
        const page = await call("ListPoliciesForTarget", targetId, () =>
          org.send(
            new ListPoliciesForTargetCommand({
              TargetId: targetId,
              Filter: "SERVICE_CONTROL_POLICY",
              NextToken: token,
            }),
            { abortSignal: signal },
          ),
        );
        all.push(...(page.Policies ?? []));
        token = page.NextToken;
      } while (token);
      return all;
    });
  const content = (id: string, name: string) =>
    once(`policy:${id}`, () =>
      call("DescribePolicy", id, () =>
        org.send(new DescribePolicyCommand({ PolicyId: id }), { abortSignal: signal }),
      ).then((o): PolicyRecord => policyRecord(name, o.Policy?.Content)),
    );

  return async (accountId) => {
    try {
      const managementAccountId = await management();
      if (managementAccountId === accountId) return { scps: { managementAccountId, levels: [] } };
      const chain = [accountId];
      for (let id = accountId, depth = 0; depth < 8; depth++) {
        const parent = await parentOf(id);
        if (!parent?.Id) break;
        chain.unshift(parent.Id);
        if (parent.Type === "ROOT") break;
        id = parent.Id;
      }
      const levels = await Promise.all(
        chain.map(async (target) => {
          const summaries = await policiesOf(target);
          const policies = await Promise.all(
            summaries.filter((s) => s.Id).map((s) => content(s.Id!, s.Name ?? s.Id!)),
          );
          return { target, policies };
        }),
      );
      const scps: ScpSnapshot = { levels };
      if (managementAccountId) scps.managementAccountId = managementAccountId;
      return { scps };
    } catch (err) {
      if (err instanceof Failed) {
        if (err.error.code === "PolicyTypeNotEnabledException") return { scps: { levels: [] } };
        return { error: { ...err.error, accountId } };
      }
      throw err;
    }
  };
}
