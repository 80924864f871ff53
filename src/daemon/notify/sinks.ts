// Where detections are sent: a webhook (POST JSON) or an SNS topic. A sink only delivers one
// detection and throws when it could not; retries and progress belong to Delivery.
import { PublishCommand } from "@aws-sdk/client-sns";
import type { AwsClients } from "../../aws/clients.ts";
import type { NotifyConfig } from "../../config/types.ts";
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
    headers[header] = value;
  }
  return headers;
}

export function webhookSink(
  cfg: WebhookConfig,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
): Sink {
  const headers = {
    ...webhookHeaders(cfg, env),
    "content-type": "application/json",
    "user-agent": `trailwarden/${version}`,
  };
  // Webhook URLs often carry a token in their path (Slack, Teams): only the origin is shown.
  const target = new URL(cfg.url).origin;
  const post = async (detections: readonly DetectionRecord[], signal?: AbortSignal) => {
    const timeout = AbortSignal.timeout(cfg.timeoutSeconds * 1000);
    const res = await fetchImpl(cfg.url, {
      method: "POST",
      headers,
      body: JSON.stringify(webhookBody(cfg.format ?? "json", detections)),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: "error",
    });
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
