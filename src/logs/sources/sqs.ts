// sqs://<queue-url>: competing consumers of the notifications CloudTrail (through SNS) or S3
// sends for each delivered log file. A message is deleted only after all its files are processed
// and their detections written (at-least-once; detection ids make the output exactly-once). Its
// visibility is extended while the work goes on. A message received more than
// logs.sqs.maxReceiveCount times is set aside: reported, not processed, not deleted, so the
// queue's redrive policy moves it to the dead-letter queue. A message in an unknown format can
// never succeed: it is reported and deleted, so it does not come back to every consumer forever.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { parseSqsSource, sqsEndpoint } from "../../config/sqs-url.ts";
import type { StateStore } from "../../state/store.ts";
import { type FileOutcome, processLogFile } from "../processor.ts";
import { waitsInQuarantine } from "../quarantine.ts";
import { parseLogKey } from "../s3-layout.ts";
import { type NotifiedFile, parseNotification } from "../sqs-message.ts";
import { addError, type SourceSummary, sourceSummary } from "../summary.ts";
import { s3Ref } from "./s3.ts";
import type { LogSource, SourceRunContext } from "./source.ts";

export class SqsSource implements LogSource {
  readonly type = "sqs";
  /** The QueueUrl sent to SQS; set by run(), since aws.endpoint decides where the queue is. */
  queueUrl = "";

  constructor(readonly url: string) {}

  async run(ctx: SourceRunContext): Promise<SourceSummary> {
    const summary = sourceSummary(this.url, "sqs");
    summary.messages = { received: 0, deleted: 0, setAside: 0, unknown: 0 };
    if (!ctx.clients) throw new Error("sqs source needs AWS clients");
    // The config loader refused every other form with its file:line:column already.
    const queue = parseSqsSource(this.url, sqsEndpoint(ctx.config.aws.endpoint));
    if (typeof queue === "string") throw new Error(queue);
    this.queueUrl = queue.url;
    const sqs = ctx.clients.sqs(queue.region ?? ctx.config.aws.region);
    const { waitTimeSeconds, visibilityTimeoutSeconds } = ctx.config.logs.sqs;
    const setAside = new Set<string>();
    await this.retryQuarantined(ctx, summary);
    while (!ctx.signal?.aborted) {
      let messages: Message[];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
          { abortSignal: ctx.signal },
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (ctx.signal?.aborted) break;
        throw err;
      }
      const fresh = messages.filter((m) => !setAside.has(m.MessageId ?? ""));
      // Drained: nothing came back, or only messages this run already set aside.
      if (fresh.length === 0) {
        if (ctx.drain) break;
        continue;
      }
      summary.messages.received += fresh.length;
      await Promise.all(fresh.map((m) => this.handle(ctx, sqs, m, summary, setAside)));
    }
    return summary;
  }

  /** Notified files that were quarantined: their messages are gone, the store remembers the keys. */
  private async retryQuarantined(ctx: SourceRunContext, summary: SourceSummary): Promise<void> {
    const due = ctx.state.dueForRetry(this.url, ctx.now.getTime()).filter((q) => q.scope === this.url);
    const s3 = ctx.clients!.s3(ctx.config.aws.region);
    await Promise.all(
      due.map((q) => {
        const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(q.key);
        if (!m || ctx.signal?.aborted) return undefined;
        return ctx.limit(() => processLogFile(ctx, s3Ref(s3, m[1], m[2], this.url), summary));
      }),
    );
  }

  /** Marks of notified files age out with the emitted-id retention. */
  prune(state: StateStore, now: number, retentionMs: number): void {
    state.forgetFilesBefore(now - retentionMs, this.url);
  }

  private async handle(
    ctx: SourceRunContext,
    sqs: SQSClient,
    m: Message,
    summary: SourceSummary,
    setAside: Set<string>,
  ): Promise<void> {
    const id = m.MessageId ?? "";
    const receives = Number(m.Attributes?.ApproximateReceiveCount ?? "1");
    if (receives > ctx.config.logs.sqs.maxReceiveCount) {
      setAside.add(id);
      summary.messages!.setAside++;
      const message = `message ${id} received ${receives} times (more than logs.sqs.maxReceiveCount ${ctx.config.logs.sqs.maxReceiveCount}): set aside for the queue's dead-letter policy`;
      addError(ctx.summary, this.url, message);
      ctx.logger.warn("sqs message set aside", { queue: this.queueUrl, messageId: id, receives });
      return;
    }
    const parsed = parseNotification(m.Body ?? "");
    if (parsed.kind === "unknown") {
      summary.messages!.unknown++;
      ctx.logger.warn("sqs message in an unknown format, deleted", {
        queue: this.queueUrl,
        messageId: id,
        reason: parsed.reason,
      });
      await this.delete(ctx, sqs, m, summary);
      return;
    }
    if (parsed.kind === "test") {
      await this.delete(ctx, sqs, m, summary);
      return;
    }
    const stop = this.keepInvisible(ctx, sqs, m);
    try {
      const outcomes = await Promise.all(parsed.files.map((f) => this.processFile(ctx, f, summary)));
      if (outcomes.every((o) => o !== "failed")) await this.delete(ctx, sqs, m, summary);
    } finally {
      stop();
    }
  }

  private async processFile(
    ctx: SourceRunContext,
    f: NotifiedFile,
    summary: SourceSummary,
  ): Promise<FileOutcome | "skipped" | "ignored"> {
    const parsed = parseLogKey(f.key);
    const wanted =
      (parsed?.kind === "CloudTrail" ||
        (parsed?.kind === "CloudTrail-Insight" && ctx.config.logs.includeInsight)) &&
      (!ctx.config.logs.accounts || ctx.config.logs.accounts.includes(parsed.account)) &&
      (!ctx.config.logs.regions || ctx.config.logs.regions.includes(parsed.region));
    if (!wanted) {
      summary.files.ignored++;
      return "ignored";
    }
    const s3 = ctx.clients!.s3(f.region ?? ctx.config.aws.region);
    const ref = s3Ref(s3, f.bucket, f.key, this.url);
    if (ctx.state.isDone(ref.key)) {
      summary.files.skipped++;
      return "skipped";
    }
    if (waitsInQuarantine(ctx, ref.key)) return "quarantined";
    return ctx.limit(() => processLogFile(ctx, ref, summary));
  }

  private async delete(
    ctx: SourceRunContext,
    sqs: SQSClient,
    m: Message,
    summary: SourceSummary,
  ): Promise<void> {
    try {
      // Each file's mark was committed (durably) before its outcome came back.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle }));
      summary.messages!.deleted++;
    } catch (err) {
      // Its files are marked done: when the message comes back it is skipped and deleted then.
      addError(ctx.summary, this.url, `DeleteMessage ${m.MessageId}: ${(err as Error).message}`);
      ctx.logger.warn("sqs delete failed", {
        queue: this.queueUrl,
        messageId: m.MessageId,
        error: (err as Error).message,
      });
    }
  }

  /** Extend the message's visibility at half its timeout until stopped. */
  private keepInvisible(ctx: SourceRunContext, sqs: SQSClient, m: Message): () => void {
    const timeout = ctx.config.logs.sqs.visibilityTimeoutSeconds;
    const timer = setInterval(
      () => {
        sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: this.queueUrl,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: timeout,
            }),
          )
          .catch((err: Error) =>
            ctx.logger.warn("sqs visibility extension failed", {
              messageId: m.MessageId,
              error: err.message,
            }),
          );
      },
      Math.max(500, (timeout * 1000) / 2),
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}
