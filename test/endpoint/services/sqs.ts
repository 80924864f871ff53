// SQS (JSON 1.0, awsQueryCompatible): SendMessage, ReceiveMessage with long polling, visibility
// timeouts and ApproximateReceiveCount, DeleteMessage (only the latest receipt handle deletes, as
// in SQS), ChangeMessageVisibility and GetQueueAttributes. Queues live in their owner's state bag
// and are addressed by the path of the queue URL: /<account>/<name>.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { EndpointRequest, ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";

export interface QueuedMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  /** The only receipt handle that may delete it or change its visibility. */
  receipt?: string;
  deleted: boolean;
  /** Identity ARN of each receiver, in order. */
  receivedBy: string[];
}

export interface Queue {
  name: string;
  accountId: string;
  visibilityTimeoutSeconds: number;
  messages: QueuedMessage[];
}

interface SqsState {
  queues: Map<string, Queue>;
}

function state(world: World, accountId: string): SqsState {
  return world.serviceState(accountId, "sqs", () => ({ queues: new Map<string, Queue>() }));
}

export function addQueue(
  world: World,
  accountId: string,
  name: string,
  visibilityTimeoutSeconds = 30,
): Queue {
  const q: Queue = { name, accountId, visibilityTimeoutSeconds, messages: [] };
  state(world, accountId).queues.set(name, q);
  return q;
}

export function findQueue(world: World, accountId: string, name: string): Queue | undefined {
  return state(world, accountId).queues.get(name);
}

export function enqueue(queue: Queue, body: string): QueuedMessage {
  const m: QueuedMessage = {
    id: randomUUID(),
    body,
    md5: createHash("md5").update(body).digest("hex"),
    sentAt: Date.now(),
    visibleAt: 0,
    receiveCount: 0,
    deleted: false,
    receivedBy: [],
  };
  queue.messages.push(m);
  return m;
}

function queueFor(req: EndpointRequest, world: World): Queue {
  const url = String(req.params.QueueUrl ?? "");
  const m = /\/(\d{12})\/([^/?]+)$/.exec(new URL(url, "http://localhost").pathname);
  const q = m ? world.accounts.has(m[1]) && findQueue(world, m[1], m[2]) : undefined;
  if (!q) throw new AwsError("QueueDoesNotExist", "The specified queue does not exist.");
  if (q.accountId !== req.accountId)
    throw new AwsError("AccessDenied", "Access to the resource is denied.", 403);
  return q;
}

function byReceipt(q: Queue, receipt: string): QueuedMessage | undefined {
  return q.messages.find((m) => !m.deleted && m.receipt === receipt);
}

async function receive(req: EndpointRequest, q: Queue) {
  const max = Math.min(Math.max(Number(req.params.MaxNumberOfMessages ?? 1), 1), 10);
  const wait = Number(req.params.WaitTimeSeconds ?? 0) * 1000;
  const visibility = Number(req.params.VisibilityTimeout ?? q.visibilityTimeoutSeconds) * 1000;
  const deadline = Date.now() + wait;
  for (;;) {
    const now = Date.now();
    const ready = q.messages.filter((m) => !m.deleted && m.visibleAt <= now).slice(0, max);
    if (ready.length || now >= deadline) {
      return ready.map((m) => {
        m.receiveCount++;
        m.visibleAt = now + visibility;
        m.receipt = randomBytes(24).toString("base64");
        m.receivedBy.push(req.identity.arn);
        return {
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
        };
      });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sqs: ServiceModule = {
  name: "sqs",
  protocol: "json",
  async handle(req, world) {
    const q = queueFor(req, world);
    switch (req.operation) {
      case "SendMessage": {
        const m = enqueue(q, String(req.params.MessageBody ?? ""));
        return { body: { MessageId: m.id, MD5OfMessageBody: m.md5 } };
      }
      case "ReceiveMessage":
        return { body: { Messages: await receive(req, q) } };
      case "DeleteMessage": {
        // SQS accepts a stale receipt handle but then does not delete the message.
        const m = byReceipt(q, String(req.params.ReceiptHandle ?? ""));
        if (m) m.deleted = true;
        return { body: {} };
      }
      case "ChangeMessageVisibility": {
        const m = byReceipt(q, String(req.params.ReceiptHandle ?? ""));
        if (!m || m.visibleAt <= Date.now())
          throw new AwsError("MessageNotInflight", "The message referred to isn't in flight.");
        m.visibleAt = Date.now() + Number(req.params.VisibilityTimeout ?? 0) * 1000;
        return { body: {} };
      }
      case "GetQueueAttributes": {
        const now = Date.now();
        const live = q.messages.filter((m) => !m.deleted);
        return {
          body: {
            Attributes: {
              ApproximateNumberOfMessages: String(live.filter((m) => m.visibleAt <= now).length),
              ApproximateNumberOfMessagesNotVisible: String(live.filter((m) => m.visibleAt > now).length),
              VisibilityTimeout: String(q.visibilityTimeoutSeconds),
            },
          },
        };
      }
      default:
        throw new AwsError("InvalidAction", `sqs ${req.operation} is not implemented by the test endpoint`);
    }
  },
};
