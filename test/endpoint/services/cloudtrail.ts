// CloudTrail (JSON 1.1): DescribeTrails (home, shadow and organization trails), GetTrailStatus,
// GetEventSelectors and ListPublicKeys (paged, by validity window), with AWS's refusal of calls on
// another account's trail. Trails live in each owner account's state; organization trails show up
// in every member account.
import type { EndpointRequest, ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";
import { organizationOf } from "./organizations.ts";

export interface WireEventSelector {
  ReadWriteType?: "ReadOnly" | "WriteOnly" | "All";
  IncludeManagementEvents?: boolean;
  DataResources?: { Type: string; Values: string[] }[];
  ExcludeManagementEventSources?: string[];
}

export interface WireAdvancedEventSelector {
  Name?: string;
  FieldSelectors: { Field: string; Equals?: string[]; NotEquals?: string[]; StartsWith?: string[] }[];
}

export interface TrailDef {
  name: string;
  accountId: string;
  homeRegion: string;
  isMultiRegion: boolean;
  isOrganizationTrail: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicArn?: string;
  kmsKeyId?: string;
  eventSelectors?: WireEventSelector[];
  advancedEventSelectors?: WireAdvancedEventSelector[];
  isLogging: boolean;
  latestDeliveryError?: string;
  latestNotificationError?: string;
  cloudWatchLogsLogGroupArn?: string;
  /** Last delivery to CloudWatch Logs (default: now, when the trail has a log group and is logging). */
  latestCloudWatchLogsDeliveryTime?: Date;
}

export interface CloudTrailState {
  /** By ARN. */
  trails: Map<string, TrailDef>;
}

export function trailArn(t: Pick<TrailDef, "accountId" | "homeRegion" | "name">): string {
  return `arn:aws:cloudtrail:${t.homeRegion}:${t.accountId}:trail/${t.name}`;
}

export function cloudTrailState(world: World, accountId: string): CloudTrailState {
  return world.serviceState(accountId, "cloudtrail", () => ({ trails: new Map<string, TrailDef>() }));
}

export function putTrail(world: World, def: TrailDef): string {
  const arn = trailArn(def);
  cloudTrailState(world, def.accountId).trails.set(arn, def);
  return arn;
}

/** Trails an account sees in a region: its own home and shadow trails, and its organization's trails. */
function visibleTrails(world: World, accountId: string, region: string, shadows: boolean): TrailDef[] {
  const seen = (t: TrailDef) => t.homeRegion === region || (shadows && t.isMultiRegion);
  const own = [...cloudTrailState(world, accountId).trails.values()].filter(seen);
  const org = organizationOf(world, accountId);
  if (!org || org.managementAccountId === accountId || !shadows) return own;
  const orgTrails = [...cloudTrailState(world, org.managementAccountId).trails.values()].filter(
    (t) => t.isOrganizationTrail && seen(t),
  );
  return [...own, ...orgTrails];
}

function wireTrail(t: TrailDef) {
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    S3KeyPrefix: t.s3KeyPrefix,
    SnsTopicName: t.snsTopicArn?.split(":").pop(),
    SnsTopicARN: t.snsTopicArn,
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegion,
    HomeRegion: t.homeRegion,
    TrailARN: trailArn(t),
    LogFileValidationEnabled: t.logFileValidationEnabled,
    KmsKeyId: t.kmsKeyId,
    HasCustomEventSelectors: Boolean(t.eventSelectors ?? t.advancedEventSelectors),
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail,
    CloudWatchLogsLogGroupArn: t.cloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn: t.cloudWatchLogsLogGroupArn
      ? `arn:aws:iam::${t.accountId}:role/CloudTrail-CWL`
      : undefined,
  };
}

/**
 * The trail a name or ARN refers to. A name means a trail homed in the request's region; an ARN
 * may name a shadow trail. Another account's ARN is refused unless `orgMember` allows an
 * organization trail of the caller's organization (GetTrailStatus does, GetEventSelectors does not).
 */
function resolve(req: EndpointRequest, world: World, nameOrArn: string, orgMember: boolean): TrailDef {
  if (!nameOrArn) throw new AwsError("InvalidTrailNameException", "Trail name or ARN can not be empty.");
  if (nameOrArn.startsWith("arn:")) {
    const owner = nameOrArn.split(":")[4];
    if (owner !== req.accountId) {
      const org = organizationOf(world, req.accountId);
      const trail = world.accounts.has(owner)
        ? cloudTrailState(world, owner).trails.get(nameOrArn)
        : undefined;
      if (orgMember && org && org.managementAccountId === owner && trail?.isOrganizationTrail) return trail;
      throw new AwsError(
        "CloudTrailARNInvalidException",
        `Invalid trail ARN: ${nameOrArn}. AccountID in ARN is wrong.`,
      );
    }
    const own = cloudTrailState(world, req.accountId).trails.get(nameOrArn);
    if (own && (own.homeRegion === req.region || own.isMultiRegion)) return own;
    throw new AwsError(
      "TrailNotFoundException",
      `Unknown trail: ${nameOrArn} for the user: ${req.accountId}`,
    );
  }
  const own = [...cloudTrailState(world, req.accountId).trails.values()].find(
    (t) => t.name === nameOrArn && t.homeRegion === req.region,
  );
  if (!own)
    throw new AwsError(
      "TrailNotFoundException",
      `Unknown trail: ${nameOrArn} for the user: ${req.accountId}`,
    );
  return own;
}

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

export const cloudtrail: ServiceModule = {
  name: "cloudtrail",
  protocol: "json",
  handle(req, world) {
    switch (req.operation) {
      case "DescribeTrails": {
        const shadows = req.params.includeShadowTrails !== false;
        const names: string[] | undefined = req.params.trailNameList;
        let trails = visibleTrails(world, req.accountId, req.region, shadows);
        if (names?.length)
          trails = trails.filter((t) => names.includes(t.name) || names.includes(trailArn(t)));
        return { body: { trailList: trails.map(wireTrail) } };
      }
      case "GetTrailStatus": {
        const t = resolve(req, world, req.params.Name ?? "", true);
        const fromMember = t.accountId !== req.accountId;
        const started = new Date("2026-01-01T00:00:00Z");
        return {
          body: {
            IsLogging: t.isLogging,
            // A member account reading an organization trail is not told about delivery errors.
            LatestDeliveryError: fromMember ? undefined : t.latestDeliveryError,
            LatestNotificationError: t.latestNotificationError,
            LatestDeliveryTime: t.isLogging ? epochSeconds(new Date()) : undefined,
            StartLoggingTime: epochSeconds(started),
            StopLoggingTime: t.isLogging ? undefined : epochSeconds(new Date("2026-06-01T00:00:00Z")),
            LatestCloudWatchLogsDeliveryTime: t.cloudWatchLogsLogGroupArn
              ? epochSeconds(t.latestCloudWatchLogsDeliveryTime ?? new Date())
              : undefined,
          },
        };
      }
      case "GetEventSelectors": {
        const t = resolve(req, world, req.params.TrailName ?? "", false);
        if (t.advancedEventSelectors)
          return { body: { TrailARN: trailArn(t), AdvancedEventSelectors: t.advancedEventSelectors } };
        return {
          body: {
            TrailARN: trailArn(t),
            EventSelectors: t.eventSelectors ?? [
              {
                ReadWriteType: "All",
                IncludeManagementEvents: true,
                DataResources: [],
                ExcludeManagementEventSources: [],
              },
            ],
          },
        };
      }
      case "ListPublicKeys": {
        // Keys whose validity overlaps [StartTime, EndTime]; with neither, the keys valid now.
        const now = Date.now() / 1000;
        const from = Number(req.params.StartTime ?? now);
        const to = Number(req.params.EndTime ?? now);
        if (to < from) throw new AwsError("InvalidTimeRangeException", "Start time must be before end time.");
        const keys = (world.cloudTrailKeys.get(req.region) ?? []).filter(
          (k) =>
            (!k.validityStart || epochSeconds(k.validityStart) <= to) &&
            (!k.validityEnd || epochSeconds(k.validityEnd) >= from),
        );
        const offset = Number(req.params.NextToken ?? 0);
        const size = world.cloudTrailKeysPageSize;
        const page = keys.slice(offset, offset + size);
        return {
          body: {
            PublicKeyList: page.map((k) => ({
              Value: Buffer.from(k.value).toString("base64"),
              Fingerprint: k.fingerprint,
              ValidityStartTime: k.validityStart ? epochSeconds(k.validityStart) : undefined,
              ValidityEndTime: k.validityEnd ? epochSeconds(k.validityEnd) : undefined,
            })),
            NextToken: offset + size < keys.length ? String(offset + size) : undefined,
          },
        };
      }
      default:
        throw new AwsError(
          "UnknownOperationException",
          `cloudtrail ${req.operation} is not implemented by the test endpoint`,
        );
    }
  },
};
