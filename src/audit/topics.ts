// SNS topics are read by ARN, in the topic's own region, and with its own account's access when that
// account is audited too: a member's trail often notifies a topic in a central security account
// whose policy lets CloudTrail publish but not the member's audit role read it.
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import type { AwsClients } from "../aws/clients.ts";
import { mapLimit } from "../util/limit.ts";
import { attempt } from "./attempt.ts";
import type { AccountInventory, TopicRecord } from "./inventory.ts";
import { arnAccount, arnRegion } from "./records.ts";

export type RegionCall = <T>(region: string, fn: () => Promise<T>) => Promise<T>;

/** GetTopicAttributes with `clients` (the credentials of account `readAs`). */
export async function readTopic(
  clients: AwsClients,
  readAs: string,
  arn: string,
  call: RegionCall,
  signal?: AbortSignal,
): Promise<TopicRecord> {
  const region = arnRegion(arn);
  const out = await attempt(
    { service: "sns", operation: "GetTopicAttributes", accountId: readAs, region, resource: arn },
    () =>
      call(region, () =>
        clients.sns(region).send(new GetTopicAttributesCommand({ TopicArn: arn }), { abortSignal: signal }),
      ),
    signal,
  );
  if (out.ok) return { arn, exists: true, readAs };
  if (out.error.code === "NotFound" || out.error.code === "NotFoundException")
    return { arn, exists: false, readAs };
  return { arn, exists: false, readAs, error: out.error };
}

/** Should `accountId` leave this topic to its owner? */
export function ownedByAnotherAuditedAccount(
  arn: string,
  accountId: string,
  inScope: ReadonlySet<string>,
): boolean {
  const owner = arnAccount(arn);
  return owner !== accountId && inScope.has(owner);
}

export interface DeferredTopics {
  account: AccountInventory;
  arns: string[];
}

/**
 * Second pass, once every account is collected: fill in the topics each account left to their
 * owner. The owner's own record is reused when it has one; otherwise the owner's clients read the
 * topic (once, however many accounts name it). An owner that could not be read at all leaves the
 * read to the account that names the topic.
 */
export async function readTopicsThroughOwners(
  deferred: DeferredTopics[],
  accounts: readonly AccountInventory[],
  clientsById: ReadonlyMap<string, AwsClients>,
  concurrency: number,
  signal?: AbortSignal,
): Promise<void> {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const reads = new Map<string, Promise<TopicRecord>>();
  const direct: RegionCall = (_region, fn) => fn();
  const jobs = deferred.flatMap(({ account, arns }) => arns.map((arn) => ({ account, arn })));
  await mapLimit(jobs, concurrency, async ({ account, arn }) => {
    const owner = byId.get(arnAccount(arn));
    const known = owner?.topics.find((t) => t.arn === arn);
    let record: TopicRecord;
    const ownerClients = owner && !owner.error ? clientsById.get(owner.id) : undefined;
    if (known) record = known;
    else if (owner && ownerClients) {
      let read = reads.get(arn);
      if (!read) {
        read = readTopic(ownerClients, owner.id, arn, direct, signal);
        reads.set(arn, read);
      }
      record = await read;
    } else {
      const own = clientsById.get(account.id);
      record = own
        ? await readTopic(own, account.id, arn, direct, signal)
        : { arn, exists: false, error: owner?.error ?? missingClients(account.id, arn) };
    }
    account.topics.push({ ...record });
  });
  for (const { account } of deferred) account.topics.sort((a, b) => a.arn.localeCompare(b.arn));
}

function missingClients(accountId: string, arn: string) {
  return {
    service: "sns",
    operation: "GetTopicAttributes",
    code: "NotRead",
    message: `neither the topic's account nor ${accountId} could be read`,
    accountId,
    resource: arn,
  };
}
