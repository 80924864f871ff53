// Maps SDK response shapes to the inventory's plain-JSON records. Pure; no AWS calls.
import type {
  GetTrailStatusCommandOutput,
  AdvancedEventSelector as SdkAdvancedSelector,
  EventSelector as SdkEventSelector,
  Trail,
} from "@aws-sdk/client-cloudtrail";
import type {
  AdvancedEventSelector,
  AdvancedFieldSelector,
  ClassicEventSelector,
  TrailRecord,
  TrailStatus,
} from "./inventory.ts";

/** Account id inside an ARN (arn:partition:service:region:account:resource). */
export function arnAccount(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/** Region inside an ARN. */
export function arnRegion(arn: string): string {
  return arn.split(":")[3] ?? "";
}

/** A trail as DescribeTrails lists it; undefined when AWS left out the ARN (nothing to key it by). */
export function trailRecord(t: Trail, fallbackRegion: string): TrailRecord | undefined {
  if (!t.TrailARN) return undefined;
  const r: TrailRecord = {
    arn: t.TrailARN,
    name: t.Name ?? t.TrailARN.split("/").pop() ?? t.TrailARN,
    homeRegion: t.HomeRegion || arnRegion(t.TrailARN) || fallbackRegion,
    ownerAccountId: arnAccount(t.TrailARN),
    isMultiRegion: t.IsMultiRegionTrail === true,
    isOrganizationTrail: t.IsOrganizationTrail === true,
    includeGlobalServiceEvents: t.IncludeGlobalServiceEvents === true,
    logFileValidationEnabled: t.LogFileValidationEnabled === true,
    hasCustomEventSelectors: t.HasCustomEventSelectors === true,
  };
  if (t.KmsKeyId) r.kmsKeyId = t.KmsKeyId;
  if (t.S3BucketName) r.s3BucketName = t.S3BucketName;
  if (t.S3KeyPrefix) r.s3KeyPrefix = t.S3KeyPrefix;
  if (t.SnsTopicARN) r.snsTopicArn = t.SnsTopicARN;
  if (t.CloudWatchLogsLogGroupArn) r.cloudWatchLogsLogGroupArn = t.CloudWatchLogsLogGroupArn;
  return r;
}

export function trailStatus(out: GetTrailStatusCommandOutput): TrailStatus {
  const s: TrailStatus = { isLogging: out.IsLogging === true };
  if (out.LatestDeliveryError) s.latestDeliveryError = out.LatestDeliveryError;
  if (out.LatestNotificationError) s.latestNotificationError = out.LatestNotificationError;
  if (out.LatestDeliveryTime) s.latestDeliveryTime = out.LatestDeliveryTime.toISOString();
  if (out.StartLoggingTime) s.startLoggingTime = out.StartLoggingTime.toISOString();
  if (out.StopLoggingTime) s.stopLoggingTime = out.StopLoggingTime.toISOString();
  if (out.LatestCloudWatchLogsDeliveryTime)
    s.latestCloudWatchLogsDeliveryTime = out.LatestCloudWatchLogsDeliveryTime.toISOString();
  if (out.LatestCloudWatchLogsDeliveryError)
    s.latestCloudWatchLogsDeliveryError = out.LatestCloudWatchLogsDeliveryError;
  return s;
}

export function classicSelector(s: SdkEventSelector): ClassicEventSelector {
  const c: ClassicEventSelector = {};
  if (s.ReadWriteType) c.readWriteType = s.ReadWriteType;
  if (s.IncludeManagementEvents !== undefined) c.includeManagementEvents = s.IncludeManagementEvents;
  if (s.ExcludeManagementEventSources?.length)
    c.excludeManagementEventSources = [...s.ExcludeManagementEventSources];
  const types = (s.DataResources ?? []).map((d) => d.Type ?? "").filter(Boolean);
  if (types.length) c.dataResourceTypes = types;
  const resources = (s.DataResources ?? [])
    .filter((d) => d.Type)
    .map((d) => ({ type: d.Type!, values: [...(d.Values ?? [])] }));
  if (resources.length) c.dataResources = resources;
  return c;
}

export function advancedSelector(s: SdkAdvancedSelector): AdvancedEventSelector {
  const a: AdvancedEventSelector = {
    fieldSelectors: (s.FieldSelectors ?? []).map((f) => {
      const out: AdvancedFieldSelector = { field: f.Field ?? "" };
      if (f.Equals?.length) out.equals = [...f.Equals];
      if (f.StartsWith?.length) out.startsWith = [...f.StartsWith];
      if (f.EndsWith?.length) out.endsWith = [...f.EndsWith];
      if (f.NotEquals?.length) out.notEquals = [...f.NotEquals];
      if (f.NotStartsWith?.length) out.notStartsWith = [...f.NotStartsWith];
      if (f.NotEndsWith?.length) out.notEndsWith = [...f.NotEndsWith];
      return out;
    }),
  };
  if (s.Name) a.name = s.Name;
  return a;
}
