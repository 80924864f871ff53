// One place that builds AWS SDK clients: endpoint override, path-style S3, retries with backoff,
// assumed-role credentials (cached and refreshed), and an observer that sees every call, error
// and retry (the daemon turns those into metrics). Clients are cached per account and region.

import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Readable } from "node:stream";
import { AccountClient } from "@aws-sdk/client-account";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsConfig } from "../config/types.ts";

export interface AwsCallEvent {
  service: string;
  operation: string;
  region: string;
  /** Attempts made, retries included. */
  attempts: number;
  durationMs: number;
  /** Error code (the SDK error name) when the call failed after its retries. */
  errorCode?: string;
  /** Error codes of the attempts that failed, in order (retried ones and the final one). */
  attemptErrors?: string[];
}

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
  "EC2ThrottledException",
]);

/** True for the error codes AWS uses to say "slow down" (the SDK retries them with backoff). */
export function isThrottlingCode(code: string): boolean {
  return THROTTLING_CODES.has(code);
}

export interface AwsObserver {
  onCall(e: AwsCallEvent): void;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialProvider = () => Promise<Credentials>;

interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware stack is generic per client
  middlewareStack: { add: (mw: any, opts: any) => void };
  // biome-ignore lint/suspicious/noExplicitAny: each client sends its own command types
  send: (command: any, options?: any) => Promise<unknown>;
  destroy(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: each client takes its own config type
type ClientCtor<C> = new (cfg: any) => C;

/** Error code of an SDK error (its name, or Code from a query-protocol body). */
export function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return e?.Code ?? e?.name ?? e?.code ?? "UnknownError";
}

// A keep-alive agent shared by every client of one AwsClients tree (assumed-role children too), so
// `aws.maxSockets` bounds connections per host for the whole process rather than per SDK client.
// The SDK destroys its handler's agent when a client is destroyed; a shared agent must survive
// that, so only close() really ends it.
class SharedHttpAgent extends HttpAgent {
  override destroy(): void {}
  close(): void {
    super.destroy();
  }
}
class SharedHttpsAgent extends HttpsAgent {
  override destroy(): void {}
  close(): void {
    super.destroy();
  }
}
interface SharedAgents {
  http: SharedHttpAgent;
  https: SharedHttpsAgent;
}

// Every new SDK client resolves the same settings from the environment and ~/.aws/config on its
// first call (FIPS, dual-stack, app id, defaults mode, ...), which costs about as much CPU as the
// call itself. An audit makes one or two calls per client across thousands of clients, so one
// client tree resolves them once, through the first client, and hands the memoized providers on.
const SHARED_PROVIDERS = [
  "useFipsEndpoint",
  "useDualstackEndpoint",
  "userAgentAppId",
  "defaultsMode",
  "authSchemePreference",
] as const;

interface SharedState {
  agents?: SharedAgents;
  providers?: Record<string, () => Promise<unknown>>;
  /** The user agent names the service, so it is shared per service. */
  userAgents: Map<string, () => Promise<unknown>>;
}

function memoize<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= f();
    return p;
  };
}

export class AwsClients {
  private readonly cache = new Map<string, SdkClient>();
  private readonly shared: SharedState;
  private readonly ownsAgents: boolean;

  constructor(
    readonly config: AwsConfig,
    /** undefined: the SDK's default credential chain. */
    readonly credentials?: CredentialProvider,
    readonly observer?: AwsObserver,
    readonly label: string = "base",
    /** Internal: the parent's shared state (assumeRole children). */
    shared?: SharedState,
  ) {
    this.ownsAgents = !shared && config.maxSockets !== undefined;
    this.shared = shared ?? {
      userAgents: new Map(),
      agents:
        config.maxSockets !== undefined
          ? {
              http: new SharedHttpAgent({ keepAlive: true, maxSockets: config.maxSockets }),
              https: new SharedHttpsAgent({ keepAlive: true, maxSockets: config.maxSockets }),
            }
          : undefined,
    };
  }

  cloudTrail(region: string): CloudTrailClient {
    return this.get(CloudTrailClient, "cloudtrail", region);
  }
  s3(region: string): S3Client {
    return this.get(S3Client, "s3", region);
  }
  sns(region: string): SNSClient {
    return this.get(SNSClient, "sns", region);
  }
  sqs(region: string): SQSClient {
    return this.get(SQSClient, "sqs", region);
  }
  sts(region = this.config.region): STSClient {
    return this.get(STSClient, "sts", region);
  }
  iam(): IAMClient {
    return this.get(IAMClient, "iam", this.config.region);
  }
  organizations(): OrganizationsClient {
    return this.get(OrganizationsClient, "organizations", this.config.region);
  }
  account(): AccountClient {
    return this.get(AccountClient, "account", this.config.region);
  }
  kms(region: string): KMSClient {
    return this.get(KMSClient, "kms", region);
  }
  s3Control(region: string = this.config.region): S3ControlClient {
    return this.get(S3ControlClient, "s3control", region);
  }

  async callerAccountId(): Promise<string> {
    const out = await this.sts().send(new GetCallerIdentityCommand({}));
    return out.Account ?? "";
  }

  /** Clients for another account through sts:AssumeRole; credentials refresh before they expire. */
  assumeRole(roleArn: string): AwsClients {
    const sts = this.sts();
    let cached: Credentials | undefined;
    const provider: CredentialProvider = async () => {
      const freshFor = cached?.expiration ? cached.expiration.getTime() - Date.now() : 0;
      if (cached && freshFor > 5 * 60_000) return cached;
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.config.sessionName,
          ExternalId: this.config.externalId,
          DurationSeconds: 3600,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      cached = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
      return cached;
    };
    return new AwsClients(this.config, provider, this.observer, roleArn, this.shared);
  }

  /** Destroys this tree's SDK clients; the shared agents close with the tree's root only. */
  destroy(): void {
    for (const c of this.cache.values()) c.destroy();
    this.cache.clear();
    if (this.ownsAgents) {
      this.shared.agents?.http.close();
      this.shared.agents?.https.close();
    }
  }

  private get<C>(Ctor: ClientCtor<C>, service: string, region: string): C {
    const key = `${service}:${region}`;
    const hit = this.cache.get(key);
    if (hit) return hit as C;
    const userAgent = this.shared.userAgents.get(service);
    const client = new Ctor({
      ...this.shared.providers,
      ...(userAgent ? { defaultUserAgentProvider: userAgent } : {}),
      region,
      endpoint: this.config.endpoint,
      ...(service === "s3control" && this.config.endpoint
        ? { endpointProvider: singleEndpoint(this.config.endpoint) }
        : {}),
      forcePathStyle: service === "s3" ? this.config.s3ForcePathStyle : undefined,
      // A bucket in another region answers 301; follow it instead of failing (log buckets often are).
      followRegionRedirects: service === "s3" ? true : undefined,
      credentials: this.credentials,
      maxAttempts: this.config.maxAttempts,
      retryMode: "standard",
      requestHandler: this.shared.agents
        ? { httpAgent: this.shared.agents.http, httpsAgent: this.shared.agents.https }
        : undefined,
    });
    const sdkClient = client as unknown as SdkClient;
    const resolved = (client as unknown as { config: Record<string, unknown> }).config;
    if (!this.shared.providers) {
      const providers: Record<string, () => Promise<unknown>> = {};
      for (const key of SHARED_PROVIDERS) {
        const p = resolved[key];
        if (typeof p === "function") providers[key] = memoize(p as () => Promise<unknown>);
      }
      this.shared.providers = providers;
    }
    if (!userAgent && typeof resolved.defaultUserAgentProvider === "function")
      this.shared.userAgents.set(
        service,
        memoize(resolved.defaultUserAgentProvider as () => Promise<unknown>),
      );
    if (this.observer) addObserver(sdkClient, service, region, this.observer);
    giveEachCallItsOwnSignal(sdkClient);
    this.cache.set(key, sdkClient);
    return client;
  }
}

// S3 Control's endpoint rules put the account id in front of the host
// (111122223333.s3-control.<region>...), also in front of an `aws.endpoint` override, which breaks an
// IP address or a single-host emulator. With one endpoint for every service, S3 Control goes to that
// endpoint as is; the account id still travels in the x-amz-account-id header, which the service reads.
function singleEndpoint(endpoint: string): () => { url: URL } {
  return () => ({ url: new URL(endpoint) });
}

// The SDK's HTTP handler adds an "abort" listener to the signal of every request in flight. An audit
// or a scan hands one signal to hundreds of concurrent calls, so Node warned "11 abort listeners
// added to [AbortSignal]" on every multi-region audit. Each call now gets a signal of its own, and
// the caller's signal carries one listener that aborts the calls in flight.
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

function callSignal(parent: AbortSignal): { signal: AbortSignal; done: () => void } {
  if (parent.aborted) return { signal: parent, done: () => {} };
  let calls = inFlight.get(parent);
  if (!calls) {
    const set = new Set<AbortController>();
    calls = set;
    inFlight.set(parent, set);
    parent.addEventListener(
      "abort",
      () => {
        for (const c of set) c.abort(parent.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const own = new AbortController();
  calls.add(own);
  return { signal: own.signal, done: () => calls.delete(own) };
}

function giveEachCallItsOwnSignal(client: SdkClient): void {
  const send = client.send.bind(client);
  client.send = async (command, options) => {
    const parent: AbortSignal | undefined = options?.abortSignal;
    if (!parent) return send(command, options);
    const call = callSignal(parent);
    let out: unknown;
    try {
      out = await send(command, { ...options, abortSignal: call.signal });
    } catch (err) {
      call.done();
      throw err;
    }
    // A streamed body (S3 GetObject) is still downloading: it stays abortable until it closes.
    const body = (out as { Body?: unknown } | undefined)?.Body;
    if (body instanceof Readable && !body.closed) body.once("close", call.done);
    else call.done();
    return out;
  };
}

const ATTEMPT_ERRORS = Symbol("trailwardenAttemptErrors");

function addObserver(client: SdkClient, service: string, region: string, observer: AwsObserver): void {
  type Next = (args: unknown) => Promise<{ output: { $metadata?: { attempts?: number } } }>;
  type Context = { commandName?: string; [ATTEMPT_ERRORS]?: string[] };
  const mw = (next: Next, context: Context) => async (args: unknown) => {
    const started = Date.now();
    const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
    const attemptErrors: string[] = [];
    context[ATTEMPT_ERRORS] = attemptErrors;
    const report = (attempts: number | undefined, code?: string) =>
      observer.onCall({
        service,
        operation,
        region,
        attempts: attempts ?? 1,
        durationMs: Date.now() - started,
        errorCode: code,
        attemptErrors,
      });
    try {
      const result = await next(args);
      report(result.output?.$metadata?.attempts);
      return result;
    } catch (err) {
      report((err as { $metadata?: { attempts?: number } }).$metadata?.attempts, errorCode(err));
      throw err;
    }
  };
  // Inside the retry loop: sees the error of every attempt, so retries can be told apart by cause.
  const perAttempt = (next: Next, context: Context) => async (args: unknown) => {
    try {
      return await next(args);
    } catch (err) {
      context[ATTEMPT_ERRORS]?.push(errorCode(err));
      throw err;
    }
  };
  client.middlewareStack.add(mw, { step: "initialize", name: "trailwardenObserver", priority: "high" });
  client.middlewareStack.add(perAttempt, {
    step: "deserialize",
    name: "trailwardenAttemptObserver",
    priority: "high",
  });
}
