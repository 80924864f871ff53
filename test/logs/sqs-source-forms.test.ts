// The forms an sqs:// source may take: the queue URL with or without https://, and the queue ARN
// (bare or after sqs://). Anything else is a config error at its file:line:column; with
// aws.endpoint set, every form addresses the queue through the endpoint.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { parseSqsSource, sqsEndpoint } from "../../src/config/sqs-url.ts";
import { runScan } from "../../src/logs/scan.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { addQueue, enqueue } from "../endpoint/services/sqs.ts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import { ctKey, detectedEventIds, eventNameDetector, logBody, record, tempDir } from "./support.ts";

const A = "111111111111";
const AWS_URL = "https://sqs.eu-west-1.amazonaws.com/111111111111/trail-files";

describe("an SQS source's queue", () => {
  for (const source of [
    "sqs://https://sqs.eu-west-1.amazonaws.com/111111111111/trail-files",
    "sqs://sqs.eu-west-1.amazonaws.com/111111111111/trail-files",
    "arn:aws:sqs:eu-west-1:111111111111:trail-files",
    "sqs://arn:aws:sqs:eu-west-1:111111111111:trail-files",
  ]) {
    it(`is the queue URL in eu-west-1 for ${source}`, () => {
      assert.deepEqual(parseSqsSource(source), {
        region: "eu-west-1",
        account: A,
        name: "trail-files",
        url: AWS_URL,
      });
    });
  }

  it("is in the China partition's domain for an aws-cn ARN", () => {
    const q = parseSqsSource("arn:aws-cn:sqs:cn-north-1:111111111111:q.fifo");
    assert.equal(
      typeof q === "object" && q.url,
      "https://sqs.cn-north-1.amazonaws.com.cn/111111111111/q.fifo",
    );
  });

  it("is addressed through aws.endpoint when one is set, whatever the form", () => {
    for (const source of [
      "sqs://sqs.eu-west-1.amazonaws.com/111111111111/q",
      "arn:aws:sqs:eu-west-1:111111111111:q",
    ]) {
      const q = parseSqsSource(source, "http://127.0.0.1:4566/");
      assert.equal(typeof q === "object" && q.url, "http://127.0.0.1:4566/111111111111/q", source);
    }
  });

  it("follows AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL, when aws.endpoint is not set", () => {
    assert.equal(sqsEndpoint("http://a:1", { AWS_ENDPOINT_URL: "http://b:2" }), "http://a:1");
    assert.equal(
      sqsEndpoint(undefined, { AWS_ENDPOINT_URL: "http://b:2", AWS_ENDPOINT_URL_SQS: "http://c:3" }),
      "http://c:3",
    );
    assert.equal(sqsEndpoint(undefined, { AWS_ENDPOINT_URL: "http://b:2" }), "http://b:2");
    assert.equal(sqsEndpoint(undefined, {}), undefined);
  });

  it("may be a queue URL on aws.endpoint itself", () => {
    const q = parseSqsSource("sqs://http://127.0.0.1:4566/111111111111/q", "http://127.0.0.1:4566");
    assert.equal(typeof q === "object" && q.url, "http://127.0.0.1:4566/111111111111/q");
  });

  for (const [source, why] of [
    ["sqs://cloudtrail-files", /expected the path \/ACCOUNT\/NAME/],
    ["sqs://https://sqs.us-east-1.amazonaws.com/cloudtrail-files", /expected the path \/ACCOUNT\/NAME/],
    ["sqs://https://sqs.us-east-1.amazonaws.com/12345/q", /expected the path \/ACCOUNT\/NAME/],
    ["sqs://https://example.com/111111111111/q", /example\.com is not an SQS endpoint/],
    ["sqs://http://127.0.0.1:4566/111111111111/q", /127\.0\.0\.1:4566 is not an SQS endpoint/],
    ["sqs://http://sqs.us-east-1.amazonaws.com/111111111111/q", /is not an SQS endpoint/],
    ["arn:aws:sqs:us-east-1:111111111111", /not an SQS queue ARN/],
    ["sqs://arn:aws:sns:us-east-1:111111111111:topic", /not an SQS queue ARN/],
  ] as const) {
    it(`is refused for ${source}`, () => {
      const q = parseSqsSource(source);
      assert.equal(typeof q, "string");
      assert.match(q as string, why);
    });
  }

  it("that is refused is a config error at the source's file:line:column", () => {
    const text = "logs:\n  sources:\n    - s3://bucket/AWSLogs\n    - sqs://queue-name\n";
    assert.throws(
      () => parseConfig(text, "/etc/tw/config.yaml", "/etc/tw"),
      (e: Error) =>
        e instanceof ConfigError &&
        /^\/etc\/tw\/config\.yaml:4:7: logs\.sources\.1: sqs:\/\/queue-name: expected the path/.test(
          e.message,
        ),
    );
  });

  it("given as a bare ARN loads as an sqs:// source", () => {
    const config = parseConfig("logs:\n  sources: [arn:aws:sqs:us-east-1:111111111111:q]\n", "c.yaml", "/");
    assert.deepEqual(config.logs.sources, ["sqs://arn:aws:sqs:us-east-1:111111111111:q"]);
  });
});

describe("scanning an SQS source through aws.endpoint", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount(A);
    ep.world.addBucket("trail-bucket", A);
  });
  after(() => ep.stop());

  const forms = {
    "queue URL": (name: string) => `sqs://https://sqs.eu-west-1.amazonaws.com/${A}/${name}`,
    "queue URL without https://": (name: string) => `sqs://sqs.eu-west-1.amazonaws.com/${A}/${name}`,
    "bare ARN": (name: string) => `arn:aws:sqs:eu-west-1:${A}:${name}`,
    "sqs:// ARN": (name: string) => `sqs://arn:aws:sqs:eu-west-1:${A}:${name}`,
  };
  let n = 0;
  for (const [form, source] of Object.entries(forms)) {
    it(`reads the files a ${form} announces, calling SQS in the queue's region`, async () => {
      const name = `forms${++n}`;
      const queue = addQueue(ep.world, A, name);
      const key = ctKey(A, "eu-west-1", new Date(), name);
      ep.world.putObject("trail-bucket", key, logBody([record(name, "StopLogging")]));
      enqueue(queue, JSON.stringify({ s3Bucket: "trail-bucket", s3ObjectKey: [key] }));
      const dir = tempDir();
      const config = parseConfig(
        [
          "aws:",
          `  endpoint: ${ep.url}`,
          "  s3ForcePathStyle: true",
          "logs:",
          `  sources: ["${source(name)}"]`,
          "  sqs: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 5 }",
          "state: { dir: state }",
          "output: { dir: out }",
          "",
        ].join("\n"),
        `${dir}/config.yaml`,
        dir,
      );
      const before = ep.calls.length;
      const summary = await runScan({ config, clients: clientsFor(ep, A), detector: eventNameDetector() });
      assert.deepEqual(summary.errors, []);
      assert.equal(summary.files.read, 1);
      assert.deepEqual(detectedEventIds(config), [name]);
      assert.equal(queue.messages.filter((m) => !m.deleted).length, 0);
      const sqsCalls = ep.calls.slice(before).filter((c) => c.service === "sqs");
      assert.ok(sqsCalls.length > 0);
      for (const c of sqsCalls) assert.equal(c.region, "eu-west-1");
    });
  }
});
