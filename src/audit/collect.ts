// AWS collection → inventory. Accounts are audited accountConcurrency at a time; inside an account
// every region is read at once, each account-region bounded by concurrencyPerRegion (CloudTrail
// allows 10 Describe/Get calls per second per account and region; the SDK retries throttling with
// backoff). A failure is recorded on the account or region it belongs to and the rest carries on.
import type { AwsClients } from "../aws/clients.ts";
import type { Config } from "../config/types.ts";
import { mapLimit } from "../util/limit.ts";
import type { Logger } from "../util/logger.ts";
import { auditProgress } from "../util/progress.ts";
import { type AccountTarget, discoverAccounts, enabledRegions } from "./accounts.ts";
import { attempt } from "./attempt.ts";
import { collectAccount } from "./collect-account.ts";
import { listOwnedBuckets, readAccountPublicAccessBlock } from "./collect-buckets.ts";
import { readIam } from "./collect-iam.ts";
import { type OwnedBuckets, readTrailResources } from "./collect-resources.ts";
import { type ScpReader, scpReader } from "./collect-scps.ts";
import {
  type AccountInventory,
  type CollectionError,
  INVENTORY_SCHEMA_VERSION,
  type Inventory,
} from "./inventory.ts";
import { type DeferredTopics, readTopicsThroughOwners } from "./topics.ts";

export interface CollectOptions {
  config: Config;
  clients: AwsClients;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
}

export async function collectInventory(opts: CollectOptions): Promise<Inventory> {
  const { config, clients, logger, signal } = opts;
  const collectedAt = (opts.now?.() ?? new Date()).toISOString();
  const discovery = await discoverAccounts(config, clients, signal);
  const errors: CollectionError[] = [...discovery.errors];
  for (const e of discovery.errors) logger.warn("account discovery failed", { ...e });

  // Accounts read with the base credentials must be the caller's own: ask STS once. With no
  // account configured and no organization, the caller's own account is the one audited.
  const auditSelf = !config.organization && config.accounts.length === 0;
  let callerAccountId: string | undefined;
  let callerError: CollectionError | undefined;
  if (auditSelf || discovery.targets.some((t) => !t.roleArn)) {
    const caller = await attempt(
      { service: "sts", operation: "GetCallerIdentity", region: config.aws.region },
      () => clients.callerAccountId(),
      signal,
    );
    if (caller.ok) callerAccountId = caller.value;
    else callerError = caller.error;
  }
  if (auditSelf) {
    if (callerAccountId) discovery.targets.push({ id: callerAccountId });
    else if (callerError) errors.push(callerError);
  }

  const inScope = new Set(discovery.targets.map((t) => t.id));
  auditProgress.plan("accounts", discovery.targets.length);
  const clientsById = new Map<string, AwsClients>();
  const buckets: OwnedBuckets = { owner: new Map(), region: new Map() };
  const deferred: DeferredTopics[] = [];
  const readScps = config.organization ? scpReader(clients, signal) : undefined;
  let accounts: AccountInventory[];
  let resources: Awaited<ReturnType<typeof readTrailResources>>;
  try {
    accounts = await mapLimit(discovery.targets, config.aws.accountConcurrency, async (target) => {
      signal?.throwIfAborted();
      const { account, accountClients, deferredTopics } = await auditAccount(target, {
        config,
        clients,
        callerAccountId,
        callerError,
        inScope,
        readScps,
        buckets,
        signal,
      });
      const failed = account.error ?? account.regionViews.find((v) => v.error)?.error;
      const fields = {
        accountId: account.id,
        regions: account.regions.length,
        trails: account.trails.length,
      };
      if (failed)
        logger.warn("account partly unreadable", {
          ...fields,
          firstError: `${failed.service}:${failed.operation} ${failed.code}`,
        });
      else logger.debug("account collected", fields);
      if (accountClients) {
        clientsById.set(account.id, accountClients);
        // Free the SDK clients now; the credentials stay cached for the topic pass below.
        if (accountClients !== clients) accountClients.destroy();
      }
      if (deferredTopics.length) deferred.push({ account, arns: deferredTopics });
      auditProgress.add("accounts");
      auditProgress.add("regions", account.regions.length);
      return account;
    });
    await readTopicsThroughOwners(deferred, accounts, clientsById, config.aws.accountConcurrency, signal);
    resources = await readTrailResources({
      accounts,
      clientsById,
      buckets,
      accountConcurrency: config.aws.accountConcurrency,
      concurrencyPerAccount: config.aws.concurrencyPerRegion,
      signal,
    });
  } finally {
    for (const c of clientsById.values()) if (c !== clients) c.destroy();
  }
  const inventory: Inventory = {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    collectedAt,
    accountSource: discovery.source,
    accounts,
    errors,
    logBuckets: resources.logBuckets,
    keys: resources.keys,
  };
  if (callerAccountId) inventory.callerAccountId = callerAccountId;
  return inventory;
}

interface AccountRunContext {
  config: Config;
  clients: AwsClients;
  callerAccountId?: string;
  callerError?: CollectionError;
  inScope: ReadonlySet<string>;
  /** SCPs through the base (management) credentials, when `organization` is configured. */
  readScps?: ScpReader;
  /** Filled with the owner and region of every bucket an account lists. */
  buckets: OwnedBuckets;
  signal?: AbortSignal;
}

interface AccountOutcome {
  account: AccountInventory;
  /** The account's clients, when it could be read. */
  accountClients?: AwsClients;
  deferredTopics: string[];
}

async function auditAccount(target: AccountTarget, ctx: AccountRunContext): Promise<AccountOutcome> {
  const { config, signal } = ctx;
  const configured = config.regions === "enabled" ? [] : [...config.regions].sort();
  const account: AccountInventory = {
    id: target.id,
    regions: configured,
    regionViews: [],
    trails: [],
    buckets: [],
    topics: [],
  };
  if (target.name) account.name = target.name;

  let clients = ctx.clients;
  if (target.roleArn) {
    clients = ctx.clients.assumeRole(target.roleArn);
    // Assume the role up front so a refused AssumeRole is one account-level error, not one per call.
    const assumed = await attempt(
      {
        service: "sts",
        operation: "AssumeRole",
        accountId: target.id,
        region: config.aws.region,
        resource: target.roleArn,
      },
      () => clients.credentials!(),
      signal,
    );
    if (!assumed.ok) {
      account.error = assumed.error;
      return { account, deferredTopics: [] };
    }
  } else if (ctx.callerError) {
    account.error = { ...ctx.callerError, accountId: target.id };
    return { account, deferredTopics: [] };
  } else if (ctx.callerAccountId !== target.id) {
    account.error = {
      service: "sts",
      operation: "GetCallerIdentity",
      code: "AccountMismatch",
      message: `the base credentials belong to account ${ctx.callerAccountId}, not ${target.id}; give this account a roleArn`,
      accountId: target.id,
    };
    return { account, deferredTopics: [] };
  }

  if (config.regions === "enabled") {
    const discovered = await enabledRegions(clients, target.id, signal);
    if (!discovered.ok) {
      account.error = discovered.error;
      return { account, accountClients: clients, deferredTopics: [] };
    }
    account.regions = discovered.value;
  }
  auditProgress.plan("regions", account.regions.length);
  try {
    const [{ deferredTopics, ...collected }] = await Promise.all([
      collectAccount({
        accountId: target.id,
        clients,
        regions: account.regions,
        concurrencyPerRegion: config.aws.concurrencyPerRegion,
        accountsInScope: ctx.inScope,
        signal,
      }),
      collectAccountPosture(account, clients, ctx),
    ]);
    return { account: { ...account, ...collected }, accountClients: clients, deferredTopics };
  } catch (err) {
    // Aborted: nobody else will destroy this account's clients.
    if (clients !== ctx.clients) clients.destroy();
    throw err;
  }
}

/** What the tamper checks need of the account itself: IAM, its buckets, Block Public Access, SCPs. */
async function collectAccountPosture(
  account: AccountInventory,
  clients: AwsClients,
  ctx: AccountRunContext,
): Promise<void> {
  const { signal } = ctx;
  const [iam, owned, pab, scps] = await Promise.all([
    readIam(clients, account.id, signal),
    listOwnedBuckets(clients, account.id, signal),
    readAccountPublicAccessBlock(clients, account.id, signal),
    ctx.readScps?.(account.id),
  ]);
  if (iam.ok) account.iam = iam.value;
  else account.iamError = iam.error;
  if (owned.ok) {
    for (const b of owned.value) {
      ctx.buckets.owner.set(b.name, account.id);
      if (b.region) ctx.buckets.region.set(b.name, b.region);
    }
  } else account.ownedBucketsError = owned.error;
  if (pab.error) account.publicAccessBlockError = pab.error;
  else account.publicAccessBlock = pab.value;
  if (scps?.scps) account.scps = scps.scps;
  if (scps?.error) account.scpsError = scps.error;
}
