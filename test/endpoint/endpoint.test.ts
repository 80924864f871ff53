import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import {
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { clientsFor, startEndpoint } from "../support/endpoint.ts";
import type { AwsTestEndpoint } from "./server.ts";

describe("the AWS test endpoint", () => {
  let ep: AwsTestEndpoint;
  before(async () => {
    ep = await startEndpoint();
    ep.world.addAccount("111111111111", { roles: ["Auditor"] });
    ep.world.addAccount("222222222222", { roles: ["Auditor"] });
  });
  after(() => ep.stop());

  it("answers GetCallerIdentity with the account the key belongs to", async () => {
    const clients = clientsFor(ep, "111111111111");
    const out = await clients.sts().send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, "111111111111");
  });

  it("maps assumed-role credentials to the role's account", async () => {
    const base = clientsFor(ep, "111111111111");
    const assumed = base.assumeRole("arn:aws:iam::222222222222:role/Auditor");
    assert.equal(await assumed.callerAccountId(), "222222222222");
  });

  it("stores user metadata from PutObject and returns it on GetObject and HeadObject", async () => {
    ep.world.addBucket("meta", "111111111111");
    const s3 = clientsFor(ep, "111111111111").s3("us-east-1");
    await s3.send(
      new PutObjectCommand({
        Bucket: "meta",
        Key: "digest.json.gz",
        Body: Buffer.from("digest"),
        Metadata: { signature: "abcd", "signature-algorithm": "SHA256withRSA" },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: "meta", Key: "digest.json.gz" }));
    assert.deepEqual(got.Metadata, { signature: "abcd", "signature-algorithm": "SHA256withRSA" });
    assert.equal(await got.Body?.transformToString(), "digest");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "meta", Key: "digest.json.gz" }));
    assert.equal(head.Metadata?.signature, "abcd");
  });

  it("pages ListPublicKeys with NextToken and filters keys by validity", async () => {
    const der = (b: number) => new Uint8Array([0x30, b]);
    ep.world.addCloudTrailKey("eu-west-1", {
      fingerprint: "old",
      value: der(1),
      validityStart: new Date("2026-01-01T00:00:00Z"),
      validityEnd: new Date("2026-02-01T00:00:00Z"),
    });
    ep.world.addCloudTrailKey("eu-west-1", {
      fingerprint: "a",
      value: der(2),
      validityStart: new Date("2026-02-01T00:00:00Z"),
    });
    ep.world.addCloudTrailKey("eu-west-1", {
      fingerprint: "b",
      value: der(3),
      validityStart: new Date("2026-03-01T00:00:00Z"),
    });
    const ct = clientsFor(ep, "111111111111").cloudTrail("eu-west-1");
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ct.send(
        new ListPublicKeysCommand({
          StartTime: new Date("2026-02-15T00:00:00Z"),
          EndTime: new Date("2026-03-15T00:00:00Z"),
          NextToken: token,
        }),
      );
      pages++;
      for (const k of out.PublicKeyList ?? []) seen.push(`${k.Fingerprint}:${k.Value?.[1]}`);
      token = out.NextToken;
    } while (token);
    assert.deepEqual(seen, ["a:2", "b:3"]);
    assert.equal(pages, 2);
  });

  it("pages ListObjectsV2 and honours StartAfter", async () => {
    ep.world.addBucket("logs", "111111111111");
    for (let i = 0; i < 25; i++) ep.world.putObject("logs", `k/${String(i).padStart(3, "0")}`, `body${i}`);
    const s3 = clientsFor(ep, "111111111111").s3("us-east-1");
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: "logs", MaxKeys: 10, StartAfter: "k/004" }),
    );
    assert.equal(page.Contents?.[0]?.Key, "k/005");
    assert.equal(page.IsTruncated, true);
    const next = await s3.send(
      new ListObjectsV2Command({
        Bucket: "logs",
        MaxKeys: 10,
        ContinuationToken: page.NextContinuationToken,
      }),
    );
    assert.equal(next.Contents?.[0]?.Key, "k/015");
    const obj = await s3.send(new GetObjectCommand({ Bucket: "logs", Key: "k/003" }));
    assert.equal(await obj.Body?.transformToString(), "body3");
  });

  it("reports a bucket without default encryption as the SDK's not-found error", async () => {
    ep.world.addBucket("plain", "111111111111");
    const s3 = clientsFor(ep, "111111111111").s3("us-east-1");
    await assert.rejects(s3.send(new GetBucketEncryptionCommand({ Bucket: "plain" })), {
      name: "ServerSideEncryptionConfigurationNotFoundError",
    });
  });

  it("retries injected throttling until the call succeeds", async () => {
    ep.world.addTopic("arn:aws:sns:us-east-1:111111111111:trail-topic");
    ep.faults.add({ kind: "throttle", service: "sns", times: 2 });
    const sns = clientsFor(ep, "111111111111").sns("us-east-1");
    const out = await sns.send(
      new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:111111111111:trail-topic" }),
    );
    assert.equal(out.Attributes?.Owner, "111111111111");
    assert.equal(out.$metadata.attempts, 3);
  });

  it("answers UnrecognizedClientException in a region the account has not enabled", async () => {
    ep.world.addAccount("333333333333", { regions: ["us-east-1"] });
    const sns = clientsFor(ep, "333333333333").sns("ap-east-1");
    await assert.rejects(
      sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:ap-east-1:333333333333:t" })),
      { name: "InvalidClientTokenId" },
    );
  });
});
