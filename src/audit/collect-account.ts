// Collects one account: DescribeTrails in every region, then, as soon as a trail is first seen,
// its status (once per ARN; an audited owner's multi-region organization trail is read there), its
// event selectors (only when custom and owned by this account), its log bucket's default encryption and its SNS topic. Every call goes through the limiter of the
// account and region it is made in, so no account-region sees more than concurrencyPerRegion calls
// at once; failures are recorded where they belong and never stop the other regions.
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import { GetBucketEncryptionCommand } from "@aws-sdk/client-s3";
import type { AwsClients } from "../aws/clients.ts";
import { createLimiter, type Limiter } from "../util/limit.ts";
import { attempt } from "./attempt.ts";
import type { AccountInventory, BucketRecord, RegionView, TopicRecord, TrailRecord } from "./inventory.ts";
import { advancedSelector, classicSelector, trailRecord, trailStatus } from "./records.ts";
import { ownedByAnotherAuditedAccount, readTopic } from "./topics.ts";

export interface AccountCollectContext {
  accountId: string;
  clients: AwsClients;
  regions: string[];
  concurrencyPerRegion: number;
  /** Accounts in this run: another account's trail owned by one of them is judged from its owner. */
  accountsInScope: ReadonlySet<string>;
  signal?: AbortSignal;
}

type Collected = Pick<AccountInventory, "regionViews" | "trails" | "buckets" | "topics"> & {
  /** Topics owned by another audited account, read through that account afterwards. */
  deferredTopics: string[];
};

export async function collectAccount(ctx: AccountCollectContext): Promise<Collected> {
  const { accountId, clients, signal } = ctx;
  const limiters = new Map<string, Limiter>();
  const limiterFor = (region: string): Limiter => {
    let l = limiters.get(region);
    if (!l) {
      l = createLimiter(ctx.concurrencyPerRegion);
      limiters.set(region, l);
    }
    return l;
  };
  const call = <T>(region: string, fn: () => Promise<T>) => limiterFor(region)(fn);

  const trails = new Map<string, TrailRecord>();
  const buckets = new Map<string, Promise<BucketRecord>>();
  const topics = new Map<string, Promise<TopicRecord>>();
  const deferredTopics = new Set<string>();
  const details: Promise<void>[] = [];

  // Calls about one trail are made in its home region, by ARN, through that region's limiter.
  const trailCall = <T>(t: TrailRecord, operation: string, send: (client: CloudTrailClient) => Promise<T>) =>
    attempt(
      { service: "cloudtrail", operation, accountId, region: t.homeRegion, resource: t.arn },
      () => call(t.homeRegion, () => send(clients.cloudTrail(t.homeRegion))),
      signal,
    );

  const readStatus = async (t: TrailRecord) => {
    const out = await trailCall(t, "GetTrailStatus", (ct) =>
      ct.send(new GetTrailStatusCommand({ Name: t.arn }), { abortSignal: signal }),
    );
    if (out.ok) t.status = trailStatus(out.value);
    else t.statusError = out.error;
  };

  // AWS refuses GetEventSelectors on another account's trail (CloudTrailARNInvalidException).
  const readSelectors = async (t: TrailRecord) => {
    const out = await trailCall(t, "GetEventSelectors", (ct) =>
      ct.send(new GetEventSelectorsCommand({ TrailName: t.arn }), { abortSignal: signal }),
    );
    if (!out.ok) {
      t.selectorsError = out.error;
      return;
    }
    t.selectors = {};
    if (out.value.EventSelectors?.length)
      t.selectors.eventSelectors = out.value.EventSelectors.map(classicSelector);
    if (out.value.AdvancedEventSelectors?.length)
      t.selectors.advancedEventSelectors = out.value.AdvancedEventSelectors.map(advancedSelector);
  };

  const readBucket = async (name: string, region: string): Promise<BucketRecord> => {
    const out = await attempt(
      {
        service: "s3",
        operation: "GetBucketEncryption",
        accountId,
        region,
        resource: name,
        absent: ["ServerSideEncryptionConfigurationNotFoundError"],
      },
      () =>
        call(region, () =>
          clients.s3(region).send(new GetBucketEncryptionCommand({ Bucket: name }), { abortSignal: signal }),
        ),
      signal,
    );
    if (out.ok) {
      const rule =
        out.value.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      const record: BucketRecord = { name };
      if (rule?.SSEAlgorithm) {
        record.encryption = { algorithm: rule.SSEAlgorithm };
        if (rule.KMSMasterKeyID) record.encryption.kmsKeyId = rule.KMSMasterKeyID;
      }
      return record;
    }
    if (out.error.code === "ServerSideEncryptionConfigurationNotFoundError") return { name };
    if (out.error.code === "NoSuchBucket") return { name, missing: true };
    return { name, error: out.error };
  };

  // Follow-ups are awaited only after every region answered. If an abort rejects them before that,
  // mark them handled now so the rejection cannot surface as an unhandled one (fatal in a daemon).
  const started = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };

  // Start a trail's follow-up calls the first time its ARN shows up in any region.
  const onTrail = (t: TrailRecord, listedIn: string) => {
    const seen = trails.get(t.arn);
    if (seen) {
      // Regions answer in any order; the home region's description wins, so the snapshot is the
      // same from run to run. Follow-up results already on the record are kept.
      if (listedIn === t.homeRegion) Object.assign(seen, t, pickFollowUps(seen));
      return;
    }
    trails.set(t.arn, t);
    const ownedHere = t.ownerAccountId === accountId;
    // A multi-region trail owned by another audited account is seen, and judged, from its owner's
    // view: its status, bucket and topic are read there, not again from every member. (A
    // single-region one may lie outside the owner's audited regions, so members read it.)
    const judgedElsewhere = !ownedHere && t.isMultiRegion && ctx.accountsInScope.has(t.ownerAccountId);
    if (judgedElsewhere) return;
    details.push(started(readStatus(t)));
    if (t.hasCustomEventSelectors && ownedHere) details.push(started(readSelectors(t)));
    // The trail's own KMS key settles its encryption; the bucket's default matters only without one.
    if (t.s3BucketName && !t.kmsKeyId && !buckets.has(t.s3BucketName))
      buckets.set(t.s3BucketName, started(readBucket(t.s3BucketName, t.homeRegion)));
    const topic = t.snsTopicArn;
    if (!topic || topics.has(topic) || deferredTopics.has(topic)) return;
    if (ownedByAnotherAuditedAccount(topic, accountId, ctx.accountsInScope)) deferredTopics.add(topic);
    else topics.set(topic, started(readTopic(clients, accountId, topic, call, signal)));
  };

  const regionViews: RegionView[] = await Promise.all(
    ctx.regions.map(async (region): Promise<RegionView> => {
      const out = await attempt(
        { service: "cloudtrail", operation: "DescribeTrails", accountId, region },
        () =>
          call(region, () =>
            clients
              .cloudTrail(region)
              .send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal: signal }),
          ),
        signal,
      );
      if (!out.ok) return { region, error: out.error, trailArns: [] };
      const listed = (out.value.trailList ?? [])
        .map((t: Trail) => trailRecord(t, region))
        .filter((t): t is TrailRecord => t !== undefined);
      for (const t of listed) onTrail(t, region);
      return { region, trailArns: [...new Set(listed.map((t) => t.arn))].sort() };
    }),
  );
  // Every trail was seen once all regions answered, so `details` is complete here.
  await Promise.all(details);
  const bucketRecords = await Promise.all(buckets.values());
  const topicRecords = await Promise.all(topics.values());
  return {
    regionViews,
    trails: [...trails.values()].sort((a, b) => a.arn.localeCompare(b.arn)),
    buckets: bucketRecords.sort((a, b) => a.name.localeCompare(b.name)),
    topics: topicRecords.sort((a, b) => a.arn.localeCompare(b.arn)),
    deferredTopics: [...deferredTopics].sort(),
  };
}

function pickFollowUps(t: TrailRecord): Partial<TrailRecord> {
  const out: Partial<TrailRecord> = {};
  if (t.status) out.status = t.status;
  if (t.statusError) out.statusError = t.statusError;
  if (t.selectors) out.selectors = t.selectors;
  if (t.selectorsError) out.selectorsError = t.selectorsError;
  return out;
}
