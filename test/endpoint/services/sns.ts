// SNS (query protocol): GetTopicAttributes, Publish. Topics live in the world, keyed by ARN.
import { randomUUID } from "node:crypto";
import type { EndpointRequest, ServiceModule } from "../protocol.ts";
import { AwsError, type Topic, type World } from "../world.ts";

function topicFor(req: EndpointRequest, world: World, arn: string): Topic {
  const [, , , region, owner] = arn.split(":");
  const topic = world.topics.get(arn);
  if (region !== req.region) {
    throw new AwsError(
      "InvalidParameter",
      `Invalid parameter: TopicArn: region ${region} does not match ${req.region}`,
    );
  }
  if (!topic) throw new AwsError("NotFound", "Topic does not exist", 404);
  if (owner !== req.accountId && !topic.allowAccounts.includes(req.accountId)) {
    throw new AwsError(
      "AuthorizationError",
      `User: ${req.identity.arn} is not authorized to access ${arn}`,
      403,
    );
  }
  return topic;
}

export const sns: ServiceModule = {
  name: "sns",
  protocol: "query",
  xmlns: "http://sns.amazonaws.com/doc/2010-03-31/",
  handle(req, world) {
    switch (req.operation) {
      case "GetTopicAttributes": {
        const topic = topicFor(req, world, req.params.TopicArn ?? "");
        const attrs: Record<string, string> = {
          TopicArn: topic.arn,
          Owner: topic.ownerAccountId,
          DisplayName: "",
          SubscriptionsConfirmed: "1",
        };
        return {
          body: { Attributes: { entry: Object.entries(attrs).map(([key, value]) => ({ key, value })) } },
        };
      }
      case "Publish": {
        const topic = topicFor(req, world, req.params.TopicArn ?? "");
        topic.published.push({ message: req.params.Message ?? "", subject: req.params.Subject });
        return { body: { MessageId: randomUUID() } };
      }
      default:
        throw new AwsError("InvalidAction", `sns ${req.operation} is not implemented by the test endpoint`);
    }
  },
};
