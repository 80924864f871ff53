// The verification core on generated chains: every verdict of the contract, from the
// public digest format signed with the project's own key.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { PublicKeyCache } from "../../src/integrity/keys.ts";
import type { FolderResult, FolderScope } from "../../src/integrity/types.ts";
import { verifyFolder } from "../../src/integrity/verify-folder.ts";
import { DigestChain, memoryReader, type SigningKey, signingKey } from "../support/digest-chain.ts";

const BUCKET = "trail-logs";
const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const T0 = Date.parse("2026-11-20T00:00:31Z");
const H = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * H);

let key: SigningKey;
let key2: SigningKey;
before(() => {
  key = signingKey();
  key2 = signingKey();
});

function chain(opts: { prefix?: string; orgId?: string } = {}): DigestChain {
  return new DigestChain({
    bucket: BUCKET,
    account: ACCOUNT,
    region: REGION,
    trailName: "main",
    homeRegion: "us-east-1",
    key,
    ...opts,
  });
}

/** Ten clean hours: digests ending 01:00:31 ... 10:00:31. */
function tenHours(c = chain()): DigestChain {
  for (let h = 0; h < 10; h++) c.hour(at(h));
  return c;
}

async function verify(
  c: DigestChain,
  opts: { now?: Date; keys?: SigningKey[]; list?: PublicKeyCache } = {},
): Promise<FolderResult> {
  const scope: FolderScope = {
    bucket: BUCKET,
    root: c.root,
    account: ACCOUNT,
    region: REGION,
    trailName: "main",
    homeRegion: "us-east-1",
  };
  const published = opts.keys ?? [key, key2];
  const keys = opts.list ?? new PublicKeyCache(async () => published);
  const now = opts.now ?? new Date(T0 + 10 * H + 5 * 60_000);
  return verifyFolder(scope, {
    start: new Date(T0 - 31_000),
    end: now,
    now,
    graceMs: 2 * H,
    reader: memoryReader(c.objects, BUCKET),
    keys,
  });
}

const statusOf = (r: FolderResult, k: string) =>
  r.digests.find((d) => d.key === k)?.status ?? r.logFiles.find((f) => f.key === k)?.status;
const problems = (r: FolderResult) =>
  [...r.digests, ...r.logFiles]
    .filter((v) => v.status !== "valid")
    .map((v) => `${v.status} ${v.key}`)
    .sort();

describe("verifyFolder", () => {
  it("finds every digest and log file of a clean chain valid, with no gap", async () => {
    const c = tenHours();
    const r = await verify(c);
    assert.equal(r.digests.length, 10);
    assert.ok(r.digests.every((d) => d.status === "valid"));
    assert.equal(r.logFiles.length, 20);
    assert.ok(r.logFiles.every((f) => f.status === "valid"));
    assert.deepEqual(r.gaps, []);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.unverifiedLogFiles, []);
  });

  it("calls a log file whose content changed modified, with both hashes", async () => {
    const c = tenHours();
    const target = c.logFiles[7];
    c.modify(target, (records) => {
      records.pop();
    });
    const r = await verify(c);
    assert.deepEqual(problems(r), [`modified ${target}`]);
    const v = r.logFiles.find((f) => f.key === target)!;
    assert.notEqual(v.expected, v.actual);
    assert.match(v.actual ?? "", /^[0-9a-f]{64}$/);
  });

  it("calls a log file replaced by bytes that are not gzip modified", async () => {
    const c = tenHours();
    const target = c.logFiles[3];
    c.objects.set(target, { body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]) });
    const r = await verify(c);
    assert.deepEqual(problems(r), [`modified ${target}`]);
  });

  it("calls a deleted log file missing", async () => {
    const c = tenHours();
    c.objects.delete(c.logFiles[4]);
    assert.deepEqual(problems(await verify(c)), [`missing ${c.logFiles[4]}`]);
  });

  it("calls a log file no digest lists unlisted once the digest for its time exists", async () => {
    const c = tenHours();
    const extra = c.logFile(new Date(T0 + 3 * H + 20 * 60_000)).key;
    const r = await verify(c);
    assert.deepEqual(problems(r), [`unlisted ${extra}`]);
  });

  it("leaves a log file newer than the newest digest unverified while its digest may still come", async () => {
    const c = tenHours();
    const late = c.logFile(new Date(T0 + 10 * H + 2 * 60_000)).key;
    const r = await verify(c);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(r.unverifiedLogFiles, [{ key: late, reason: "awaiting-digest" }]);
  });

  it("calls a digest edited after signing invalid and keeps its successor valid", async () => {
    const c = tenHours();
    const target = c.digests[5];
    const o = c.objects.get(target)!;
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const d = JSON.parse(gunzipSync(o.body).toString());
    d.logFiles.pop();
    c.objects.set(target, { ...o, body: gzipSync(JSON.stringify(d)) });
    const r = await verify(c);
    assert.equal(statusOf(r, target), "invalid");
    assert.match(r.digests.find((x) => x.key === target)!.reason!, /signature verification failed/);
    assert.equal(statusOf(r, c.digests[6]), "valid");
    // The forged digest vouches for nothing: its files are no longer listed by a valid digest.
    assert.equal(statusOf(r, c.logFiles[10]), "unlisted");
  });

  it("calls a digest with a signature that does not verify invalid", async () => {
    const c = tenHours();
    const o = c.objects.get(c.digests[2])!;
    c.objects.set(c.digests[2], { ...o, metadata: { ...o.metadata, signature: "ab".repeat(256) } });
    const r = await verify(c);
    assert.equal(statusOf(r, c.digests[2]), "invalid");
  });

  it("calls a digest without signature metadata invalid", async () => {
    const c = tenHours();
    const o = c.objects.get(c.digests[2])!;
    c.objects.set(c.digests[2], { body: o.body });
    assert.equal(statusOf(await verify(c), c.digests[2]), "invalid");
  });

  it("calls a digest copied to another key invalid (moved)", async () => {
    const c = tenHours();
    const copy = c.digests[3].replace("T040031Z", "T040032Z");
    c.objects.set(copy, c.objects.get(c.digests[3])!);
    const r = await verify(c);
    assert.equal(statusOf(r, copy), "invalid");
    assert.match(r.digests.find((x) => x.key === copy)!.reason!, /moved/);
    assert.equal(statusOf(r, c.digests[3]), "valid");
  });

  it("calls a digest that is not gzip JSON invalid (malformed)", async () => {
    const c = tenHours();
    const o = c.objects.get(c.digests[1])!;
    c.objects.set(c.digests[1], { ...o, body: Buffer.from("not a digest") });
    const r = await verify(c);
    assert.equal(statusOf(r, c.digests[1]), "invalid");
    assert.match(r.digests.find((x) => x.key === c.digests[1])!.reason!, /malformed/);
  });

  it("calls a digest signed with an unknown key invalid", async () => {
    const c = tenHours();
    const r = await verify(c, { keys: [key2] });
    assert.ok(r.digests.every((d) => d.status === "invalid"));
  });

  it("calls a deleted middle digest missing under its own key", async () => {
    const c = tenHours();
    c.objects.delete(c.digests[4]);
    const r = await verify(c);
    assert.deepEqual(
      problems(r).filter((p) => !p.startsWith("unlisted")),
      [`missing ${c.digests[4]}`],
    );
    // The files it listed are vouched for by no valid digest.
    assert.equal(statusOf(r, c.logFiles[8]), "unlisted");
    assert.deepEqual(r.gaps, []);
  });

  it("calls a deleted newest digest missing, under the key CloudTrail gave it, once the grace period is over", async () => {
    const c = tenHours();
    const newest = c.digests[9];
    c.objects.delete(newest);
    const soon = await verify(c, { now: new Date(T0 + 10 * H + 5 * 60_000) });
    assert.deepEqual(problems(soon), []);
    const later = await verify(c, { now: new Date(T0 + 12 * H) });
    const v = later.digests.find((d) => d.status === "missing");
    assert.equal(v?.key, newest);
    assert.equal(v?.inferredKey, true);
    assert.equal(statusOf(later, c.logFiles[18]), "unlisted");
  });

  it("calls a digest whose previousDigestHashValue is wrong invalid", async () => {
    const c = chain();
    for (let h = 0; h < 3; h++) c.hour(at(h));
    const bad = c.hour(at(3), {
      alter: (d) => {
        d.previousDigestHashValue = "0".repeat(64);
      },
    });
    for (let h = 4; h < 6; h++) c.hour(at(h));
    const r = await verify(c);
    assert.equal(statusOf(r, bad), "invalid");
    assert.match(r.digests.find((x) => x.key === bad)!.reason!, /previousDigestHashValue/);
    assert.equal(statusOf(r, c.digests[2]), "valid");
  });

  it("calls a digest whose previousDigestSignature is wrong invalid", async () => {
    const c = chain();
    for (let h = 0; h < 3; h++) c.hour(at(h));
    const bad = c.hour(at(3), {
      alter: (d) => {
        d.previousDigestSignature = "cd".repeat(256);
      },
    });
    const r = await verify(c);
    assert.match(r.digests.find((x) => x.key === bad)!.reason!, /previousDigestSignature/);
  });

  it("reports a stop and start of logging as a gap from the last digest's end to the new chain's start", async () => {
    const c = chain();
    for (let h = 0; h < 4; h++) c.hour(at(h));
    const restart = c.hour(at(6), { newChain: true });
    for (let h = 7; h < 10; h++) c.hour(at(h));
    const r = await verify(c);
    assert.deepEqual(problems(r), []);
    assert.equal(r.gaps.length, 1);
    assert.equal(r.gaps[0].from, "2026-11-20T04:00:31Z");
    assert.equal(r.gaps[0].to, "2026-11-20T06:00:31Z");
    assert.equal(r.gaps[0].nextDigest, restart);
    assert.equal(r.gaps[0].lastDigest, c.digests[3]);
  });

  it("leaves log files delivered while validation was off unverified, not unlisted", async () => {
    const c = chain();
    for (let h = 0; h < 4; h++) c.hour(at(h));
    const off = c.logFile(new Date(T0 + 5 * H)).key;
    for (let h = 6; h < 10; h++) c.hour(at(h), { newChain: h === 6 });
    const r = await verify(c);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(r.unverifiedLogFiles, [{ key: off, reason: "not-covered" }]);
  });

  it("verifies across a key rotation, asking ListPublicKeys again for the new fingerprint", async () => {
    const c = chain();
    for (let h = 0; h < 5; h++) c.hour(at(h));
    c.rotate(key2);
    for (let h = 5; h < 10; h++) c.hour(at(h));
    let calls = 0;
    const cache = new PublicKeyCache(async () => (++calls === 1 ? [key] : [key, key2]));
    const r = await verify(c, { list: cache });
    assert.deepEqual(problems(r), []);
    assert.equal(calls, 2);
  });

  it("verifies an organization trail's layout under a key prefix", async () => {
    const c = tenHours(chain({ prefix: "logs/ct", orgId: "o-abc123def4" }));
    assert.match(c.digests[0], /^logs\/ct\/AWSLogs\/o-abc123def4\/111111111111\/CloudTrail-Digest\//);
    const r = await verify(c);
    assert.equal(r.digests.length, 10);
    assert.deepEqual(problems(r), []);
  });

  it("verifies a backfill chain on its own, without taking its start for a gap", async () => {
    const c = tenHours();
    const b1 = c.hour(at(2), { backfill: true, files: 1, newChain: true }, new Date(T0 + 2 * H + 1000));
    const b2 = c.hour(at(3), { backfill: true, files: 1 }, new Date(T0 + 3 * H + 1000));
    const r = await verify(c);
    assert.deepEqual(problems(r), []);
    assert.equal(r.digests.find((d) => d.key === b1)?.backfill, true);
    assert.equal(statusOf(r, b2), "valid");
    assert.deepEqual(r.gaps, []);
  });

  it("reports an unreadable log file as undetermined with its key, not as a verdict", async () => {
    const c = tenHours();
    const reader = memoryReader(c.objects, BUCKET);
    const denied = c.logFiles[5];
    const scope: FolderScope = {
      bucket: BUCKET,
      root: c.root,
      account: ACCOUNT,
      region: REGION,
      trailName: "main",
      homeRegion: "us-east-1",
    };
    const now = new Date(T0 + 10 * H + 5 * 60_000);
    const r = await verifyFolder(scope, {
      start: new Date(T0 - 31_000),
      end: now,
      now,
      graceMs: 2 * H,
      keys: new PublicKeyCache(async () => [key]),
      reader: {
        ...reader,
        hashLogFile: async (b, k) => {
          if (k === denied) throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
          return reader.hashLogFile(b, k);
        },
      },
    });
    assert.equal(statusOf(r, denied), undefined);
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.key, e.account, e.region]),
      [["AccessDenied", denied, ACCOUNT, REGION]],
    );
  });

  it("checks the window's first digest against its predecessor without judging the predecessor's files", async () => {
    const c = tenHours();
    c.modify(c.logFiles[5], (records) => {
      records.pop();
    });
    const now = new Date(T0 + 10 * H + 5 * 60_000);
    const scope: FolderScope = {
      bucket: BUCKET,
      root: c.root,
      account: ACCOUNT,
      region: REGION,
      trailName: "main",
      homeRegion: "us-east-1",
    };
    const r = await verifyFolder(scope, {
      start: new Date(T0 + 3 * H + 60_000),
      end: now,
      now,
      graceMs: 2 * H,
      reader: memoryReader(c.objects, BUCKET),
      keys: new PublicKeyCache(async () => [key]),
    });
    assert.deepEqual(problems(r), []);
    assert.equal(r.digests.length, 7);
    assert.ok(!r.logFiles.some((f) => f.key === c.logFiles[5]));
    // The predecessor is read (for the link) but not listed as a verdict of the window.
    assert.ok(!r.digests.some((d) => d.key === c.digests[2]));
  });
});
