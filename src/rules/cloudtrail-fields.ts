// The fields of a CloudTrail record, from the CloudTrail User Guide ("CloudTrail record contents for
// management, data, and network activity events" and "CloudTrail userIdentity element"). Used only to
// warn about field names a rule probably misspelt. Below the free-form fields (a service's own request,
// response and event data) any name is accepted.

/** A known field: a value ("leaf"), a map whose keys are free-form ("free"), or a map of known fields. */
export type FieldShape = "leaf" | "free" | { readonly [name: string]: FieldShape };

const SESSION_ISSUER = {
  type: "leaf",
  principalId: "leaf",
  arn: "leaf",
  accountId: "leaf",
  userName: "leaf",
} as const;

export const CLOUDTRAIL_FIELDS: { readonly [name: string]: FieldShape } = {
  eventTime: "leaf",
  eventVersion: "leaf",
  userIdentity: {
    type: "leaf",
    userName: "leaf",
    principalId: "leaf",
    arn: "leaf",
    accountId: "leaf",
    accessKeyId: "leaf",
    invokedBy: "leaf",
    identityProvider: "leaf",
    credentialId: "leaf",
    sessionContext: {
      sessionIssuer: SESSION_ISSUER,
      attributes: { creationDate: "leaf", mfaAuthenticated: "leaf" },
      webIdFederationData: { federatedProvider: "leaf", attributes: "free" },
      sourceIdentity: "leaf",
      ec2RoleDelivery: "leaf",
      ec2Issuer: "leaf",
      assumedRoot: "leaf",
    },
    onBehalfOf: { userId: "leaf", identityStoreArn: "leaf" },
    inScopeOf: { sourceArn: "leaf", sourceAccount: "leaf", issuerType: "leaf", credentialsIssuedTo: "leaf" },
  },
  eventSource: "leaf",
  eventName: "leaf",
  awsRegion: "leaf",
  sourceIPAddress: "leaf",
  userAgent: "leaf",
  errorCode: "leaf",
  errorMessage: "leaf",
  requestParameters: "free",
  responseElements: "free",
  additionalEventData: "free",
  requestID: "leaf",
  eventID: "leaf",
  eventType: "leaf",
  apiVersion: "leaf",
  managementEvent: "leaf",
  readOnly: "leaf",
  resources: { ARN: "leaf", accountId: "leaf", type: "leaf" },
  recipientAccountId: "leaf",
  serviceEventDetails: "free",
  sharedEventID: "leaf",
  vpcEndpointId: "leaf",
  vpcEndpointAccountId: "leaf",
  eventCategory: "leaf",
  addendum: { reason: "leaf", updatedFields: "leaf", originalRequestID: "leaf", originalEventID: "leaf" },
  sessionCredentialFromConsole: "leaf",
  edgeDeviceDetails: "free",
  tlsDetails: { tlsVersion: "leaf", cipherSuite: "leaf", clientProvidedHostHeader: "leaf" },
  // Enriched events and Insights events carry these; their contents vary.
  eventContext: "free",
  insightDetails: "free",
};

const hasOwn = Object.prototype.hasOwnProperty;

export interface FieldVerdict {
  /** The path as far as it is known, and the first segment that is not. */
  unknownAt: number;
  /** A known path that is a near miss of the written one. */
  suggestion?: string;
  /** True when the path goes below a field that holds a plain value. */
  belowLeaf?: boolean;
}

/** Undefined when the path is a CloudTrail field (or below a free-form one); else where it goes wrong. */
export function checkFieldPath(path: readonly string[]): FieldVerdict | undefined {
  let level: { readonly [name: string]: FieldShape } = CLOUDTRAIL_FIELDS;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (!hasOwn.call(level, seg)) {
      const near = nearMiss(seg, Object.keys(level));
      const suggestion =
        near === undefined ? undefined : [...path.slice(0, i), near, ...path.slice(i + 1)].join(".");
      return { unknownAt: i, suggestion };
    }
    const shape = level[seg];
    if (shape === "free") return undefined;
    if (shape === "leaf") return i === path.length - 1 ? undefined : { unknownAt: i + 1, belowLeaf: true };
    level = shape;
  }
  return undefined;
}

/** The candidate equal ignoring case, else the one within two edits (the closest). */
function nearMiss(word: string, candidates: string[]): string | undefined {
  const lower = word.toLowerCase();
  const same = candidates.find((c) => c.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return Math.min(prev[b.length], limit);
}
