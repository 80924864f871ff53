// Builds one CloudTrail record with the fields, and the field order, that CloudTrail writes.

/**
 * @param rng the generator's PRNG (for eventID and requestID)
 * @param spec what happened: identity, time (Date), source, name, region, ip, ua, and optionally
 *   req, resp, error, message, readOnly, eventType, extra (additionalEventData), resources,
 *   requestId (false for none, as on console sign-ins), account (recipient, defaults to the caller's)
 */
export function cloudTrailRecord(rng, spec) {
  const record = {
    eventVersion: spec.eventVersion ?? "1.09",
    userIdentity: spec.identity,
    eventTime: spec.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: spec.region,
    sourceIPAddress: spec.ip,
    userAgent: spec.ua,
  };
  if (spec.error) record.errorCode = spec.error;
  if (spec.message) record.errorMessage = spec.message;
  record.requestParameters = spec.req ?? null;
  record.responseElements = spec.error ? null : (spec.resp ?? null);
  if (spec.extra) record.additionalEventData = spec.extra;
  if (spec.requestId !== false) record.requestID = spec.requestId ?? rng.uuid();
  record.eventID = rng.uuid();
  record.readOnly = spec.readOnly ?? false;
  if (spec.resources) record.resources = spec.resources;
  record.eventType = spec.eventType ?? "AwsApiCall";
  record.managementEvent = true;
  record.recipientAccountId = spec.account ?? spec.identity.accountId;
  record.eventCategory = "Management";
  if (spec.host) {
    record.tlsDetails = {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: spec.host,
    };
  }
  return record;
}

/** The Host header an SDK sends to a regional endpoint. */
export function endpointHost(source, region) {
  const service = source.replace(".amazonaws.com", "");
  if (service === "iam") return "iam.amazonaws.com";
  if (service === "signin") return "signin.aws.amazon.com";
  return `${service}.${region}.amazonaws.com`;
}
