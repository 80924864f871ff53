// Where detections are sent: a webhook (POST JSON) or an SNS topic. A sink only delivers one
// detection and throws when it could not; retries and progress belong to Delivery.
import { PublishCommand } from "@aws-sdk/client-sns";
import type { AwsClients } from "../../aws/clients.ts";
import type { NotifyConfig } from "../../config/types.ts";
import { registerSecret } from "../../util/logger.ts";
import { version } from "../../version.ts";
import { webhookBody } from "./formats.ts";

export type DetectionRecord = Record<string, unknown> & { id?: string; level?: string };

export interface Sink {
  /** Used in metrics, logs and the cursor file name: "webhook" or "sns". */
  readonly name: string;
  /** Where it delivers, safe to log (no credentials, no URL path or query). */
  readonly target: string;
  deliver(detection: DetectionRecord, signal?: AbortSignal): Promise<void>;
  /** Several detections in one message (webhook); all or none are delivered. */
  deliverBatch?(detections: readonly DetectionRecord[], signal?: AbortSignal): Promise<void>;
}

export class SinkConfigError extends Error {
  override name = "SinkConfigError";
}

type WebhookConfig = NonNullable<NotifyConfig["webhook"]>;

/**
 * Header values come from environment variables named in config, read once here. Their values
 * are never logged; an error names the variable, not its content.
 */
function webhookHeaders(cfg: WebhookConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, variable] of Object.entries(cfg.headersFromEnv)) {
    const value = env[variable];
    if (value === undefined || value === "")
      throw new SinkConfigError(
        `notify.webhook.headersFromEnv: environment variable ${variable} is not set (needed for a webhook header)`,
      );
    registerSecret(value);
    // fetch would refuse it later with an error that quotes the value: refuse it here, by name.
    if (/[\r\n\0]/.test(value))
      throw new SinkConfigError(
        `notify.webhook.headersFromEnv: environment variable ${variable} (header ${header}) holds a line break or NUL, which no header value may`,
      );
    headers[header] = value;
  }
  return headers;
}

export function webhookSink(
  cfg: WebhookConfig,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
): Sink {
  // Webhook URLs often carry a token in their path (Slack, Teams): only the origin is shown, never the
  // path, the query or a user:password. Their secret parts are masked in any log line that quotes them.
  const url = new URL(cfg.url);
  for (const part of [url.username, url.password, url.search.slice(1), url.pathname]) {
    if (part.length > 1) registerSecret(safeDecode(part));
    if (part.length > 1) registerSecret(part);
  }
  for (const v of url.searchParams.values()) registerSecret(v);
  const target = url.origin;
  // fetch refuses a URL with credentials: they travel as HTTP basic authentication instead.
  const basic =
    url.username || url.password ? `${safeDecode(url.username)}:${safeDecode(url.password)}` : undefined;
  url.username = "";
  url.password = "";
  const endpoint = url.toString();
  const configured = webhookHeaders(cfg, env);
  // A configured Authorization header wins over credentials in the URL.
  const useBasic = basic && !Object.keys(configured).some((h) => h.toLowerCase() === "authorization");
  const headers: Record<string, string> = {
    ...(useBasic ? { authorization: `Basic ${Buffer.from(basic).toString("base64")}` } : {}),
    ...configured,
    "content-type": "application/json",
    "user-agent": `trailwarden/${version}`,
  };
  if (headers.authorization) registerSecret(headers.authorization);
  const post = async (detections: readonly DetectionRecord[], signal?: AbortSignal) => {
    const timeout = AbortSignal.timeout(cfg.timeoutSeconds * 1000);
    let res: Response;
    try {
      res = await fetchImpl(endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify(webhookBody(cfg.format ?? "json", detections)),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: "error",
      });
    } catch (err) {
      // fetch's errors may quote the URL or a header: say what failed with the origin only.
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === "TimeoutError" || e.name === "AbortError" ? e.name : (e.cause?.code ?? e.name);
      throw new Error(`webhook ${target} not reached: ${why}`);
    }
    // Drain the body so the connection can be reused; its content is not needed.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook ${target} answered HTTP ${res.status}`);
  };
  return {
    name: "webhook",
    target,
    deliver: (detection, signal) => post([detection], signal),
    deliverBatch: (detections, signal) => post(detections, signal),
  };
}

/** SNS subjects: printable ASCII, no line breaks, at most 100 characters. */
export function snsSubject(d: DetectionRecord): string {
  const text = `trailwarden ${String(d.level ?? "")}: ${String(d.ruleTitle ?? d.ruleId ?? "detection")}`;
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 100 ? `${clean.slice(0, 97)}...` : clean;
}

export function snsSink(clients: AwsClients, topicArn: string): Sink {
  const region = topicArn.split(":")[3];
  return {
    name: "sns",
    target: topicArn,
    async deliver(detection, signal) {
      await clients.sns(region).send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: snsSubject(detection),
          Message: JSON.stringify(detection),
        }),
        { abortSignal: signal },
      );
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
