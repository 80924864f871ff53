// In-stream integrity on the s3:// source through the real SDK: the source lists the digest
// folders, verifies each digest with ListPublicKeys, hashes each log file from the bytes it reads
// (one GET per object), and commits problems as detections exactly once; its verdicts agree with
// `verify` on the same bucket. (The scan wires the tracker in with logs.verifyIntegrity.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runVerify } from "../../src/cli/verify.ts";
import { awsPublicKeys } from "../../src/integrity/aws.ts";
import { INTEGRITY_RULE_ID, type IntegrityDetection } from "../../src/integrity/detection.ts";
import { PublicKeyCache } from "../../src/integrity/keys.ts";
import { IntegrityTracker } from "../../src/integrity/stream.ts";
import { MemoryKeyValueStore } from "../../src/integrity/stream-state.ts";
import { StateCommitter } from "../../src/logs/commit.ts";
import { DetectionsLog } from "../../src/logs/detections-log.ts";
import { runScan } from "../../src/logs/scan.ts";
import { S3Source } from "../../src/logs/sources/s3.ts";
import { streamIntegrity } from "../../src/logs/sources/s3-integrity.ts";
import type { SourceRunContext } from "../../src/logs/sources/source.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import { StateStore } from "../../src/state/store.ts";
import { createLimiter } from "../../src/util/limit.ts";
import { silentLogger } from "../../src/util/logger.ts";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { eventNameDetector, readDetections, tempDir, testConfig } from "../logs/support.ts";
import { AuditWorld } from "../support/audit-world.ts";
import { DigestChain, type SigningKey, signingKey } from "../support/digest-chain.ts";
import { startEndpoint } from "../support/endpoint.ts";

const SEC = "100000000000";
const ACCT = "111111111111";
const H = 3_600_000;

describe("in-stream integrity on the s3:// source", () => {
  let ep: AwsTestEndpoint;
  let w: AuditWorld;
  let key: SigningKey;
  let n = 0;
  before(async () => {
    ep = await startEndpoint();
    w = new AuditWorld(ep).account(SEC).account(ACCT);
    key = signingKey();
    ep.world.addCloudTrailKey("us-east-1", key);
  });
  after(() => ep.stop());

  /** Ten hours of chain ending three hours ago (past the grace period), in a trail's own bucket. */
  function world(tamper: (c: DigestChain, bucket: string) => void) {
    const name = `s-${++n}`;
    const bucket = `${name}-logs`;
    const arn = w.trail(ACCT, { name, bucket });
    const c = new DigestChain({ bucket, account: ACCT, region: "us-east-1", trailName: name, key });
    const first = Date.now() - 13 * H - 17 * 60_000;
    for (let h = 0; h < 10; h++) c.hour(new Date(first + h * H));
    tamper(c, bucket);
    c.publishTo(ep.world);
    return { arn, c, bucket };
  }

  function context(bucket: string, dir: string, kv = new MemoryKeyValueStore(), tracker?: IntegrityTracker) {
    const clients = w.baseClients(ACCT);
    const config = testConfig(dir, { sources: [`s3://${bucket}`] }, { ...clients.config });
    const state = StateStore.open(join(dir, "state"));
    const summary = emptySummary();
    // The state committer marks each file and digest done with its detections, as the scan does.
    const log = new DetectionsLog(join(config.output.dir, "detections.jsonl"), state);
    const committer = new StateCommitter(state, log, summary);
    const close = () => {
      state.close();
      clients.destroy();
    };
    const t =
      tracker ?? new IntegrityTracker({ keys: new PublicKeyCache(awsPublicKeys(clients)), graceMs: 2 * H });
    const ctx: SourceRunContext = {
      config,
      state,
      detector: eventNameDetector(),
      committer,
      summary,
      logger: silentLogger,
      limit: createLimiter(4),
      clients,
      now: new Date(),
      drain: true,
      integrity: { tracker: t, kv },
    };
    return { ctx, close, tracker: t, kv, config, detections: () => readDetections(config) };
  }

  const kinds = (ds: readonly unknown[]) =>
    (ds as IntegrityDetection[])
      .filter((d) => d.ruleId === INTEGRITY_RULE_ID)
      .map((d) => `${d.integrity.kind} ${d.integrity.key}`)
      .sort();

  it("verifies a clean chain with one GET per object and reports nothing", async () => {
    const { bucket, c } = world(() => {});
    const { ctx, close, tracker, detections } = context(bucket, tempDir());
    const gets = () => ep.calls.filter((x) => x.operation === "GetObject" && x.accountId === ACCT).length;
    const before = gets();
    try {
      await new S3Source(`s3://${bucket}`).run(ctx);
    } finally {
      close();
    }
    assert.deepEqual(kinds(detections()), []);
    assert.equal(gets() - before, c.objects.size);
    assert.equal(tracker.counters.verifiedDigests, 10);
    assert.equal(tracker.counters.verifiedFiles, 20);
    assert.equal(ctx.summary.integrity?.digestsRead, 10);
    assert.equal(ctx.summary.integrity?.verifiedFiles, 20);
  });

  it("finds what verify finds, and a second poll over the same state adds nothing", async () => {
    let modified = "";
    let deleted = "";
    let middle = "";
    const { bucket, arn, c } = world((chain) => {
      modified = chain.logFiles[3];
      chain.modify(modified, (r) => {
        r.pop();
      });
      deleted = chain.logFiles[8];
      chain.objects.delete(deleted);
      middle = chain.digests[6];
      chain.objects.delete(middle);
    });
    const dir = tempDir();
    const kv = new MemoryKeyValueStore();
    const first = context(bucket, dir, kv);
    try {
      await new S3Source(`s3://${bucket}`).run(first.ctx);
    } finally {
      first.close();
    }
    const streamed = kinds(first.detections());
    assert.ok(streamed.includes(`log-modified ${modified}`), streamed.join("\n"));
    assert.ok(streamed.includes(`digest-missing ${middle}`), streamed.join("\n"));
    assert.ok(streamed.includes(`log-missing ${deleted}`), streamed.join("\n"));
    assert.equal(first.ctx.summary.integrity?.problems["log-modified"], 1);

    const second = context(bucket, dir, kv, first.tracker);
    try {
      await new S3Source(`s3://${bucket}`).run(second.ctx);
    } finally {
      second.close();
    }
    // Same detections file: nothing was added by the second poll.
    assert.deepEqual(kinds(second.detections()), streamed);
    assert.equal(second.ctx.summary.detections.total, 0);

    const report = await runVerify({
      config: w.config({ accounts: [{ id: ACCT }], regions: ["us-east-1"] }),
      trails: [arn],
      start: new Date(Date.now() - 24 * H),
      end: new Date(),
      clients: w.baseClients(SEC),
      logger: silentLogger,
    });
    const verified = report.trails[0];
    const fromVerify = [
      ...verified.digests.filter((d) => d.status !== "valid").map((d) => `digest-${d.status} ${d.key}`),
      ...verified.logFiles.filter((f) => f.status !== "valid").map((f) => `log-${f.status} ${f.key}`),
    ].sort();
    assert.deepEqual(streamed, fromVerify);
    assert.ok(c.digests.length === 10);
  });

  it("runs in the real scan with its state in the store: a modified file is one detection across runs", async () => {
    let modified = "";
    const { bucket } = world((chain) => {
      modified = chain.logFiles[2];
      chain.modify(modified, (r) => {
        r.pop();
      });
    });
    const dir = tempDir();
    const clients = w.baseClients(ACCT);
    // As withDefaults decides for a config whose sources include s3://.
    const config = testConfig(
      dir,
      { sources: [`s3://${bucket}`], verifyIntegrity: true },
      { ...clients.config },
    );
    try {
      const first = await runScan({ config, clients, detector: eventNameDetector() });
      assert.equal(first.integrity?.problems["log-modified"], 1);
      assert.deepEqual(kinds(readDetections(config)), [`log-modified ${modified}`]);
      const second = await runScan({ config, clients, detector: eventNameDetector() });
      assert.equal(second.detections.total, 0);
      assert.deepEqual(kinds(readDetections(config)), [`log-modified ${modified}`]);
      const store = StateStore.open(config.state.dir);
      try {
        assert.ok(store.kvGet("integrity", "folders") !== undefined, "the chain position is in the store");
      } finally {
        store.close();
      }
    } finally {
      clients.destroy();
    }
  });

  it("is on for an s3:// source by default, off when configured off or without an s3:// source", () => {
    const clients = w.baseClients(ACCT);
    const kv = new MemoryKeyValueStore();
    try {
      const on = testConfig(tempDir(), { sources: ["s3://b"], verifyIntegrity: true });
      assert.ok(streamIntegrity(on, clients, kv)?.tracker instanceof IntegrityTracker);
      const off = testConfig(tempDir(), { sources: ["s3://b"], verifyIntegrity: false });
      assert.equal(streamIntegrity(off, clients, kv), undefined);
      const sqsOnly = testConfig(tempDir(), { sources: ["sqs://https://q"], verifyIntegrity: true });
      assert.equal(streamIntegrity(sqsOnly, clients, kv), undefined);
    } finally {
      clients.destroy();
    }
  });
});
