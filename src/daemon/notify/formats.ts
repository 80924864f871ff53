// Webhook bodies: trailwarden's JSON, a Slack incoming-webhook message (Block Kit), or a Microsoft
// Teams message with an Adaptive Card (Teams workflows' "post to a channel when a webhook request is
// received"). Pure functions of a list of detections, so a batch is one message.
import type { DetectionRecord } from "./sinks.ts";

export type WebhookFormat = "json" | "slack" | "teams";

/** Slack allows 50 blocks a message and 3000 characters a text block. */
const SLACK_MAX_BLOCKS = 50;
const SLACK_MAX_TEXT = 3000;

const s = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

function fields(d: DetectionRecord): [string, string][] {
  const match = d.match as { fields?: Record<string, string> } | undefined;
  return Object.entries(match?.fields ?? {});
}

function oneLine(d: DetectionRecord): string {
  return `${s(d.eventName)} by ${s(d.principal)} in ${s(d.recipientAccountId)} ${s(d.awsRegion)} at ${s(d.eventTime)}`;
}

export function webhookBody(format: WebhookFormat, detections: readonly DetectionRecord[]): unknown {
  if (format === "slack") return slackMessage(detections);
  if (format === "teams") return teamsMessage(detections);
  // One detection keeps today's shape; a batch carries the list.
  return detections.length === 1
    ? { source: "trailwarden", type: "detection", detection: detections[0] }
    : { source: "trailwarden", type: "detections", detections };
}

/** Slack mrkdwn: &, < and > are control characters and must be escaped. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function title(detections: readonly DetectionRecord[]): string {
  if (detections.length === 1)
    return `trailwarden: [${s(detections[0].level)}] ${s(detections[0].ruleTitle)}`;
  return `trailwarden: ${detections.length} detections`;
}

export function slackMessage(detections: readonly DetectionRecord[]) {
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: title(detections).slice(0, 150) } },
  ];
  const room = SLACK_MAX_BLOCKS - 2;
  for (const d of detections.slice(0, room)) {
    const why = fields(d)
      .map(([k, v]) => `\`${slackEscape(k)}\` = \`${slackEscape(v)}\``)
      .join(", ");
    const text = [
      `*[${slackEscape(s(d.level))}] ${slackEscape(s(d.ruleTitle))}*`,
      slackEscape(oneLine(d)),
      why ? `why: ${why}` : "",
      `id \`${slackEscape(s(d.id))}\``,
    ]
      .filter(Boolean)
      .join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: text.slice(0, SLACK_MAX_TEXT) } });
  }
  if (detections.length > room)
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `and ${detections.length - room} more in detections.jsonl` }],
    });
  return { text: slackEscape(title(detections)), blocks };
}

export function teamsMessage(detections: readonly DetectionRecord[]) {
  const body: unknown[] = [
    { type: "TextBlock", size: "Medium", weight: "Bolder", text: title(detections), wrap: true },
  ];
  for (const d of detections) {
    body.push({
      type: "Container",
      separator: true,
      items: [
        { type: "TextBlock", weight: "Bolder", text: `[${s(d.level)}] ${s(d.ruleTitle)}`, wrap: true },
        { type: "TextBlock", text: oneLine(d), wrap: true },
        {
          type: "FactSet",
          facts: [...fields(d).map(([k, v]) => ({ title: k, value: v })), { title: "id", value: s(d.id) }],
        },
      ],
    });
  }
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
        },
      },
    ],
  };
}
