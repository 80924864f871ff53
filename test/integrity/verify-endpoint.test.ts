// `verify` through the real SDK against the test endpoint: trails found by DescribeTrails, digests
// and log files read from S3 (with the signature in the object metadata), keys from
// ListPublicKeys. Each case tampers with its own trail's bucket.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import type { AwsClients } from "../../src/aws/clients.ts";
import { runVerify } from "../../src/cli/verify.ts";
import { validatorFor } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import type { VerifyReport } from "../../src/integrity/verify-trails.ts";
import { verifyExitCode } from "../../src/integrity/verify-trails.ts";
import { silentLogger } from "../../src/util/logger.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { DigestChain, type SigningKey, signingKey } from "../support/digest-chain.ts";
import { startEndpoint } from "../support/endpoint.ts";

const SEC = "100000000000";
const ACCT = "111111111111";
const T0 = Date.parse("2026-11-20T00:00:31Z");
const H = 3_600_000;
const at = (h: number) => new Date(T0 + h * H);

describe("trailwarden verify (through the SDK)", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  let base: AwsClients;
  let config: Config;
  let key: SigningKey;
  let n = 0;

  before(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC).account(ACCT);
    base = w.baseClients(SEC);
    config = w.config({ accounts: [{ id: ACCT }], regions: ["us-east-1", "eu-west-1"] });
    key = signingKey();
    ep.world.addCloudTrailKey("us-east-1", signingKey()); // another region key: paging must go past it
    ep.world.addCloudTrailKey("us-east-1", key);
  });
  after(async () => {
    base.destroy();
    await ep.stop();
  });

  /** A fresh trail with ten clean hours in its own bucket; returns its ARN and the chain. */
  function trail(opts: { bucketOwner?: string; build?: (c: DigestChain) => void } = {}) {
    const name = `trail-${++n}`;
    const bucket = `logs-${n}`;
    w.bucket(bucket, opts.bucketOwner ?? ACCT);
    const arn = w.trail(ACCT, { name, bucket });
    const c = new DigestChain({ bucket, account: ACCT, region: "us-east-1", trailName: name, key });
    if (opts.build) opts.build(c);
    else for (let h = 0; h < 10; h++) c.hour(at(h));
    return { arn, c, publish: () => c.publishTo(ep.world), bucket };
  }

  /** Verify one trail; every report must match schema/verify-report. */
  const verify = async (arn: string, now = new Date(T0 + 10 * H + 5 * 60_000)): Promise<VerifyReport> => {
    const report = await runVerify({
      config,
      trails: [arn],
      start: new Date(T0 - 60_000),
      end: now,
      now,
      clients: base,
      logger: silentLogger,
    });
    const validate = validatorFor("verify-report");
    assert.ok(validate(report), JSON.stringify(validate.errors));
    return report;
  };

  const problems = (r: VerifyReport) =>
    r.trails
      .flatMap((t) => [...t.digests, ...t.logFiles])
      .filter((v) => v.status !== "valid")
      .map((v) => `${v.status} ${v.key}`);

  it("reports a clean chain all valid and exits 0", async () => {
    const t = trail();
    t.publish();
    const r = await verify(t.arn);
    assert.equal(r.trails.length, 1);
    assert.equal(r.trails[0].trail, t.arn);
    assert.equal(r.summary.digests.valid, 10);
    assert.equal(r.summary.logFiles.valid, 20);
    assert.deepEqual(r.trails[0].gaps, []);
    assert.deepEqual(r.errors, []);
    assert.equal(verifyExitCode(r), 0);
  });

  it("reports a modified log file as modified and exits 1", async () => {
    const t = trail();
    t.c.modify(t.c.logFiles[5], (records) => {
      records[0].sourceIPAddress = "203.0.113.66";
    });
    t.publish();
    const r = await verify(t.arn);
    assert.deepEqual(problems(r), [`modified ${t.c.logFiles[5]}`]);
    assert.equal(verifyExitCode(r), 1);
  });

  it("reports a deleted log file as missing", async () => {
    const t = trail();
    t.publish();
    ep.world.buckets.get(t.bucket)!.objects.delete(t.c.logFiles[2]);
    assert.deepEqual(problems(await verify(t.arn)), [`missing ${t.c.logFiles[2]}`]);
  });

  it("reports a log file no digest lists as unlisted", async () => {
    const t = trail();
    const extra = t.c.logFile(new Date(T0 + 4 * H + 10 * 60_000)).key;
    t.publish();
    assert.deepEqual(problems(await verify(t.arn)), [`unlisted ${extra}`]);
  });

  it("reports a digest edited after signing as invalid", async () => {
    const t = trail();
    const target = t.c.digests[6];
    const o = t.c.objects.get(target)!;
    const d = JSON.parse(gunzipSync(o.body).toString());
    d.logFiles = [];
    t.c.objects.set(target, { ...o, body: gzipSync(JSON.stringify(d)) });
    t.publish();
    const r = await verify(t.arn);
    assert.ok(problems(r).includes(`invalid ${target}`));
  });

  it("reports a digest whose signature metadata was replaced as invalid", async () => {
    const t = trail();
    const o = t.c.objects.get(t.c.digests[1])!;
    t.c.objects.set(t.c.digests[1], { ...o, metadata: { ...o.metadata, signature: "00".repeat(256) } });
    t.publish();
    assert.ok(problems(await verify(t.arn)).includes(`invalid ${t.c.digests[1]}`));
  });

  it("reports a digest copied to another key as invalid", async () => {
    const t = trail();
    const copy = t.c.digests[2].replace(/T030031Z/, "T030059Z");
    t.c.objects.set(copy, t.c.objects.get(t.c.digests[2])!);
    t.publish();
    const r = await verify(t.arn);
    assert.deepEqual(problems(r), [`invalid ${copy}`]);
  });

  it("reports a deleted newest digest as missing once log files after it are past the grace period", async () => {
    const t = trail();
    t.publish();
    const newest = t.c.digests[9];
    ep.world.buckets.get(t.bucket)!.objects.delete(newest);
    const r = await verify(t.arn, new Date(T0 + 12 * H));
    const missing = r.trails[0].digests.filter((d) => d.status === "missing");
    assert.deepEqual(
      missing.map((d) => d.key),
      [newest],
    );
    assert.equal(verifyExitCode(r), 1);
  });

  it("reports a digest with a wrong previousDigestHashValue as invalid", async () => {
    const t = trail({
      build: (c) => {
        for (let h = 0; h < 10; h++)
          c.hour(at(h), {
            alter:
              h === 4
                ? (d) => {
                    d.previousDigestHashValue = "f".repeat(64);
                  }
                : undefined,
          });
      },
    });
    t.publish();
    const r = await verify(t.arn);
    const bad = r.trails[0].digests.find((d) => d.key === t.c.digests[4]);
    assert.equal(bad?.status, "invalid");
    assert.match(bad?.reason ?? "", /previousDigestHashValue/);
  });

  it("reports a stop and start of logging as a gap with the digests' times", async () => {
    const t = trail({
      build: (c) => {
        for (let h = 0; h < 3; h++) c.hour(at(h));
        for (let h = 5; h < 10; h++) c.hour(at(h), { newChain: h === 5 });
      },
    });
    t.publish();
    const r = await verify(t.arn);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(
      r.trails[0].gaps.map((g) => [g.from, g.to]),
      [["2026-11-20T03:00:31Z", "2026-11-20T05:00:31Z"]],
    );
    assert.equal(verifyExitCode(r), 0);
  });

  it("exits 3 and says which bucket, account and region when the bucket cannot be read", async () => {
    const t = trail({ bucketOwner: SEC });
    t.publish();
    const r = await verify(t.arn);
    assert.equal(verifyExitCode(r), 3);
    const e = r.trails[0].errors[0];
    assert.equal(e.code, "AccessDenied");
    assert.equal(e.bucket, t.bucket);
    assert.equal(e.account, ACCT);
    assert.equal(e.region, "us-east-1");
    assert.match(e.key ?? "", /^AWSLogs\/111111111111\/CloudTrail-Digest\/us-east-1\//);
  });

  it("exits 3 naming the digest when CloudTrail's public keys cannot be read", async () => {
    const t = trail();
    t.publish();
    ep.faults.add({ service: "cloudtrail", operation: "ListPublicKeys", kind: "deny" });
    try {
      const r = await verify(t.arn);
      assert.equal(verifyExitCode(r), 3);
      assert.ok(r.trails[0].errors.some((e) => e.operation === "ListPublicKeys" && e.key === t.c.digests[0]));
      assert.equal(r.summary.digests.valid, 0);
    } finally {
      ep.faults.clear();
    }
  });

  it("reports an ARN no audited account describes as undetermined", async () => {
    const r = await verify(`arn:aws:cloudtrail:us-east-1:${ACCT}:trail/nope`);
    assert.equal(r.trails.length, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(verifyExitCode(r), 3);
  });

  it("verifies every region of a multi-region trail, with each region's keys", async () => {
    const name = `multi-${++n}`;
    const bucket = `logs-multi-${n}`;
    w.bucket(bucket, ACCT);
    const arn = w.trail(ACCT, { name, bucket, multiRegion: true });
    const euKey = signingKey();
    ep.world.addCloudTrailKey("eu-west-1", euKey);
    const us = new DigestChain({ bucket, account: ACCT, region: "us-east-1", trailName: name, key });
    const eu = new DigestChain({
      bucket,
      account: ACCT,
      region: "eu-west-1",
      homeRegion: "us-east-1",
      trailName: name,
      key: euKey,
    });
    for (let h = 0; h < 4; h++) {
      us.hour(at(h));
      eu.hour(at(h));
    }
    eu.modify(eu.logFiles[3], (r) => {
      r[0].eventName = "DeleteTrail";
    });
    us.publishTo(ep.world);
    eu.publishTo(ep.world);
    const r = await verify(arn, new Date(T0 + 4 * H + 5 * 60_000));
    assert.deepEqual(
      r.trails[0].folders.map((f) => f.region),
      ["eu-west-1", "us-east-1"],
    );
    assert.equal(r.summary.digests.valid, 8);
    assert.deepEqual(problems(r), [`modified ${eu.logFiles[3]}`]);
  });

  it("verifies every member account's folder of an organization trail", async () => {
    const name = `org-${++n}`;
    const bucket = `logs-org-${n}`;
    w.bucket(bucket, ACCT);
    const arn = w.trail(ACCT, { name, bucket, organization: true });
    const member = "222222222222";
    const own = new DigestChain({
      bucket,
      orgId: "o-abc123def4",
      account: ACCT,
      region: "us-east-1",
      trailName: name,
      key,
    });
    const other = new DigestChain({
      bucket,
      orgId: "o-abc123def4",
      account: member,
      region: "us-east-1",
      trailName: name,
      key,
    });
    for (let h = 0; h < 3; h++) {
      own.hour(at(h));
      other.hour(at(h));
    }
    own.publishTo(ep.world);
    other.publishTo(ep.world);
    ep.world.buckets.get(bucket)!.objects.delete(other.logFiles[1]);
    const r = await verify(arn, new Date(T0 + 3 * H + 5 * 60_000));
    assert.deepEqual(
      r.trails[0].folders.map((f) => f.account),
      [ACCT, member],
    );
    assert.deepEqual(problems(r), [`missing ${other.logFiles[1]}`]);
  });

  it("exits 3 when a logging trail with validation on has no digest at all in the window", async () => {
    const t = trail({ build: () => {} });
    const r = await verify(t.arn);
    assert.equal(r.trails[0].digests.length, 0);
    assert.equal(r.trails[0].errors[0]?.code, "NoDigestFiles");
    assert.equal(verifyExitCode(r), 3);
  });
});
