import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { slackMessage, teamsMessage, webhookBody } from "../../src/daemon/notify/formats.ts";
import { webhookSink } from "../../src/daemon/notify/sinks.ts";
import { scanReport } from "../report/fixtures.ts";
import { WebhookReceiver } from "../support/webhook.ts";

const detections = () => scanReport().detections! as unknown as Record<string, unknown>[];

describe("webhook formats", () => {
  it("keep today's JSON body for one detection", () => {
    const [d] = detections();
    assert.deepEqual(webhookBody("json", [d]), { source: "trailwarden", type: "detection", detection: d });
  });

  it("make a Slack message with a section per detection saying why it matched", () => {
    const msg = slackMessage(detections()) as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    assert.equal(msg.text, "trailwarden: 2 detections");
    assert.deepEqual(
      msg.blocks.map((b) => b.type),
      ["header", "section", "section"],
    );
    assert.match(
      msg.blocks[1].text!.text,
      /^\*\[high\] Root user activity\*\nConsoleLogin by arn:aws:iam::111111111111:root/,
    );
    assert.match(msg.blocks[1].text!.text, /why: `userIdentity\.type` = `Root`/);
  });

  it("escape Slack's control characters in values from records", () => {
    const [d] = detections();
    const msg = slackMessage([{ ...d, principal: "<!channel> & co" }]) as {
      blocks: { text?: { text: string } }[];
    };
    assert.match(msg.blocks[1].text!.text, /&lt;!channel&gt; &amp; co/);
    assert.doesNotMatch(msg.blocks[1].text!.text, /<!channel>/);
  });

  it("keep a Slack message within 50 blocks, saying how many were left out", () => {
    const many = Array.from({ length: 60 }, () => detections()[0]);
    const msg = slackMessage(many) as { blocks: { type: string }[] };
    assert.equal(msg.blocks.length, 50);
    assert.equal(msg.blocks.at(-1)!.type, "context");
  });

  it("make a Teams message with an Adaptive Card whose facts are the matched fields", () => {
    const msg = teamsMessage(detections()) as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; body: { type: string; items?: { type: string; facts?: unknown }[] }[] };
      }[];
    };
    assert.equal(msg.type, "message");
    const card = msg.attachments[0];
    assert.equal(card.contentType, "application/vnd.microsoft.card.adaptive");
    assert.equal(card.content.type, "AdaptiveCard");
    assert.equal(card.content.body.length, 3);
    const facts = card.content.body[1].items!.find((i) => i.type === "FactSet")!.facts;
    assert.deepEqual((facts as { title: string }[])[0], { title: "userIdentity.type", value: "Root" });
  });

  it("are what the webhook sink posts, one message for a batch", async () => {
    const hook = new WebhookReceiver();
    const url = await hook.start();
    try {
      const sink = webhookSink({
        url: `${url}/slack`,
        headersFromEnv: {},
        timeoutSeconds: 5,
        format: "slack",
      });
      await sink.deliverBatch!(detections());
      assert.equal(hook.received.length, 1);
      const body = hook.received[0].body as unknown as { text: string; blocks: unknown[] };
      assert.equal(body.text, "trailwarden: 2 detections");
      assert.equal(body.blocks.length, 3);
    } finally {
      await hook.stop();
    }
  });
});
