// The in-stream tracker against `verify`: the same generated chains, tampered in every way, fed
// to the tracker as a scan would meet them (log files at delivery, digests a few minutes after
// their period, log bytes hashed through the reader's onContent hook) must give the same problems
// as verifying the bucket afterwards.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { validatorFor } from "../../src/config/schema.ts";
import { parseDigestKey, parseLogFileKey } from "../../src/integrity/digest.ts";
import { ContentHasher } from "../../src/integrity/hash.ts";
import { PublicKeyCache } from "../../src/integrity/keys.ts";
import { IntegrityTracker } from "../../src/integrity/stream.ts";
import { type KeyValueStore, MemoryKeyValueStore } from "../../src/integrity/stream-state.ts";
import { verifyFolder } from "../../src/integrity/verify-folder.ts";
import { BadLogError, readLog } from "../../src/logs/reader.ts";
import { emptySummary } from "../../src/logs/summary.ts";
import { DigestChain, memoryReader, type SigningKey, signingKey } from "../support/digest-chain.ts";

const BUCKET = "trail-logs";
const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const T0 = Date.parse("2026-11-20T00:00:31Z");
const H = 3_600_000;
const GRACE = 2 * H;
const at = (h: number) => new Date(T0 + h * H);
const UNTIL = T0 + 13 * H;

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
function tenHours(c = chain()): DigestChain {
  for (let h = 0; h < 10; h++) c.hour(at(h));
  return c;
}

/** Hash a log file the way the scan does: the reader's onContent hook into a ContentHasher. */
async function scanHash(body: Buffer) {
  const hasher = new ContentHasher();
  try {
    await readLog(body, { lines: false, onRecord: () => {}, onContent: hasher.update });
  } catch (err) {
    if (err instanceof BadLogError) return { corrupt: err.message };
    throw err;
  }
  return { sha256: hasher.digest() };
}

/** Feed the bucket's objects to a tracker in delivery order; sweep as time passes. */
async function streamProblems(
  c: DigestChain,
  kv: KeyValueStore = new MemoryKeyValueStore(),
  tracker?: IntegrityTracker,
  until = UNTIL,
) {
  const t =
    tracker ?? new IntegrityTracker({ keys: new PublicKeyCache(async () => [key, key2]), graceMs: GRACE });
  const events = [...c.objects.keys()]
    .map((k) => {
      const log = parseLogFileKey(k);
      return {
        k,
        at: log ? log.time.getTime() : parseDigestKey(k)!.time.getTime() + 5 * 60_000,
        log: Boolean(log),
      };
    })
    .sort((a, b) => a.at - b.at || a.k.localeCompare(b.k));
  const found = [];
  for (const e of events) {
    found.push(...t.sweep(kv, e.at));
    const o = c.objects.get(e.k)!;
    if (e.log) found.push(...t.onLogFile(kv, BUCKET, e.k, await scanHash(o.body), e.at));
    else
      found.push(
        ...(await t.onDigest(
          kv,
          BUCKET,
          e.k,
          {
            bytes: o.body,
            signature: o.metadata?.signature,
            signatureAlgorithm: o.metadata?.["signature-algorithm"],
          },
          e.at,
        )),
      );
  }
  found.push(...t.sweep(kv, until));
  return {
    detections: found,
    problems: found.map((d) => `${d.integrity.kind} ${d.integrity.key}`).sort(),
    tracker: t,
  };
}

async function verifyProblems(c: DigestChain): Promise<string[]> {
  const r = await verifyFolder(
    {
      bucket: BUCKET,
      root: c.root,
      account: ACCOUNT,
      region: REGION,
      trailName: "main",
      homeRegion: "us-east-1",
    },
    {
      start: new Date(T0 - 60_000),
      end: new Date(UNTIL),
      now: new Date(UNTIL),
      graceMs: GRACE,
      reader: memoryReader(c.objects, BUCKET),
      keys: new PublicKeyCache(async () => [key, key2]),
    },
  );
  return [
    ...r.digests.filter((d) => d.status !== "valid").map((d) => `digest-${d.status} ${d.key}`),
    ...r.logFiles.filter((f) => f.status !== "valid").map((f) => `log-${f.status} ${f.key}`),
    ...r.gaps.map((g) => `gap ${g.nextDigest}`),
  ].sort();
}

function editDigest(c: DigestChain, k: string, edit: (d: Record<string, unknown>) => void): void {
  const o = c.objects.get(k)!;
  const d = JSON.parse(gunzipSync(o.body).toString());
  edit(d);
  c.objects.set(k, { ...o, body: gzipSync(JSON.stringify(d)) });
}

const cases: [string, () => DigestChain, (problems: string[], c: DigestChain) => void][] = [
  ["a clean chain", () => tenHours(), (p) => assert.deepEqual(p, [])],
  [
    "a modified log file",
    () => {
      const c = tenHours();
      c.modify(c.logFiles[7], (r) => {
        r[0].eventName = "Nothing";
      });
      return c;
    },
    (p, c) => assert.deepEqual(p, [`log-modified ${c.logFiles[7]}`]),
  ],
  [
    "a log file that no longer inflates",
    () => {
      const c = tenHours();
      c.objects.set(c.logFiles[2], { body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 9, 9]) });
      return c;
    },
    (p, c) => assert.deepEqual(p, [`log-modified ${c.logFiles[2]}`]),
  ],
  [
    "a deleted log file",
    () => {
      const c = tenHours();
      c.objects.delete(c.logFiles[11]);
      return c;
    },
    (p, c) => assert.deepEqual(p, [`log-missing ${c.logFiles[11]}`]),
  ],
  [
    "an unlisted log file",
    () => {
      const c = tenHours();
      c.logFile(new Date(T0 + 3 * H + 20 * 60_000));
      return c;
    },
    (p, c) => assert.deepEqual(p, [`log-unlisted ${c.logFiles[20]}`]),
  ],
  [
    "a digest edited after signing",
    () => {
      const c = tenHours();
      editDigest(c, c.digests[5], (d) => {
        (d.logFiles as unknown[]).pop();
      });
      return c;
    },
    (p, c) =>
      assert.ok(
        p.includes(`digest-invalid ${c.digests[5]}`) && !p.some((x) => x.startsWith("digest-missing")),
      ),
  ],
  [
    "a forged signature",
    () => {
      const c = tenHours();
      const o = c.objects.get(c.digests[2])!;
      c.objects.set(c.digests[2], { ...o, metadata: { ...o.metadata, signature: "ab".repeat(256) } });
      return c;
    },
    (p, c) => assert.ok(p.includes(`digest-invalid ${c.digests[2]}`)),
  ],
  [
    "a digest copied to another key",
    () => {
      const c = tenHours();
      const copy = c.digests[3].replace("T040031Z", "T040032Z");
      c.objects.set(copy, c.objects.get(c.digests[3])!);
      return c;
    },
    (p, c) => assert.deepEqual(p, [`digest-invalid ${c.digests[3].replace("T040031Z", "T040032Z")}`]),
  ],
  [
    "a deleted middle digest",
    () => {
      const c = tenHours();
      c.objects.delete(c.digests[4]);
      return c;
    },
    (p, c) => assert.ok(p.includes(`digest-missing ${c.digests[4]}`)),
  ],
  [
    "a deleted newest digest",
    () => {
      const c = tenHours();
      c.objects.delete(c.digests[9]);
      return c;
    },
    (p, c) => assert.ok(p.includes(`digest-missing ${c.digests[9]}`)),
  ],
  [
    "a wrong previousDigestHashValue",
    () => {
      const c = chain();
      for (let h = 0; h < 10; h++)
        c.hour(at(h), {
          alter:
            h === 4
              ? (d) => {
                  d.previousDigestHashValue = "e".repeat(64);
                }
              : undefined,
        });
      return c;
    },
    (p, c) => assert.ok(p.includes(`digest-invalid ${c.digests[4]}`)),
  ],
  [
    "a stop and start of logging",
    () => {
      const c = chain();
      for (let h = 0; h < 4; h++) c.hour(at(h));
      for (let h = 6; h < 10; h++) c.hour(at(h), { newChain: h === 6 });
      return c;
    },
    (p, c) => assert.deepEqual(p, [`gap ${c.digests[4]}`]),
  ],
  [
    "a key rotation mid-window",
    () => {
      const c = chain();
      for (let h = 0; h < 5; h++) c.hour(at(h));
      c.rotate(key2);
      for (let h = 5; h < 10; h++) c.hour(at(h));
      return c;
    },
    (p) => assert.deepEqual(p, []),
  ],
  [
    "an organization trail's layout",
    () => tenHours(chain({ prefix: "ct", orgId: "o-abc123def4" })),
    (p) => assert.deepEqual(p, []),
  ],
  [
    "a backfill chain",
    () => {
      const c = tenHours();
      c.hour(at(2), { backfill: true, files: 1, newChain: true }, new Date(T0 + 2 * H + 1000));
      c.hour(at(3), { backfill: true, files: 1 }, new Date(T0 + 3 * H + 1000));
      return c;
    },
    (p) => assert.deepEqual(p, []),
  ],
];

describe("in-stream integrity agrees with verify", () => {
  for (const [name, build, expect] of cases)
    it(`on ${name}`, async () => {
      const c = build();
      const streamed = (await streamProblems(c)).problems;
      const verified = await verifyProblems(c);
      assert.deepEqual(streamed, verified);
      expect(streamed, c);
    });
});

describe("IntegrityTracker", () => {
  it("turns a problem into a high detection with the integrity object and a deterministic id", async () => {
    const c = tenHours();
    c.modify(c.logFiles[4], (r) => {
      r.pop();
    });
    const a = (await streamProblems(c)).detections;
    const b = (await streamProblems(c)).detections;
    assert.equal(a.length, 1);
    const d = a[0];
    assert.equal(d.ruleId, "trailwarden-log-integrity");
    assert.equal(d.level, "high");
    assert.equal(d.integrity.kind, "log-modified");
    assert.equal(d.integrity.key, c.logFiles[4]);
    assert.equal(d.integrity.trail, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`);
    assert.match(d.integrity.expected ?? "", /^[0-9a-f]{64}$/);
    assert.match(d.integrity.actual ?? "", /^[0-9a-f]{64}$/);
    assert.notEqual(d.integrity.expected, d.integrity.actual);
    assert.equal(d.logFile, `s3://${BUCKET}/${c.logFiles[4]}`);
    assert.equal(d.id, b[0].id);
    assert.match(d.id, /^[0-9a-f]{32}$/);
  });

  it("counts verified files, verified digests and problems by kind", async () => {
    const c = tenHours();
    c.objects.delete(c.logFiles[5]);
    const { tracker } = await streamProblems(c);
    assert.equal(tracker.counters.verifiedDigests, 10);
    assert.equal(tracker.counters.verifiedFiles, 19);
    assert.equal(tracker.counters.problems["log-missing"], 1);
    assert.equal(tracker.counters.problems["log-modified"], 0);
  });

  it("keeps its chain position in the store: a new tracker over the same store goes on where it stopped", async () => {
    const c = tenHours();
    c.objects.delete(c.digests[6]);
    const kv = new MemoryKeyValueStore();
    const keys = new PublicKeyCache(async () => [key]);
    // First process: up to hour 7's digest (which names the deleted hour-6 digest); then a restart.
    const first = new IntegrityTracker({ keys, graceMs: GRACE });
    const cut = c.digests[7];
    const firstPart = new DigestChain(c.opts);
    const secondPart = new DigestChain(c.opts);
    let seenCut = false;
    const order = [...c.objects.keys()].sort(
      (x, y) =>
        (parseLogFileKey(x)?.time.getTime() ?? parseDigestKey(x)!.time.getTime() + 300_000) -
        (parseLogFileKey(y)?.time.getTime() ?? parseDigestKey(y)!.time.getTime() + 300_000),
    );
    for (const k of order) {
      (seenCut ? secondPart : firstPart).objects.set(k, c.objects.get(k)!);
      if (k === cut) seenCut = true;
    }
    const firstProblems = await streamProblems(
      firstPart,
      kv,
      first,
      parseDigestKey(cut)!.time.getTime() + 300_000,
    );
    assert.deepEqual(firstProblems.problems, []);
    const second = new IntegrityTracker({ keys, graceMs: GRACE });
    const { problems } = await streamProblems(secondPart, kv, second);
    assert.ok(problems.includes(`digest-missing ${c.digests[6]}`), problems.join("\n"));
  });

  it("does not call files delivered before tracking began missing when the scan had read files untracked", async () => {
    const c = tenHours();
    const kv = new MemoryKeyValueStore();
    const t = new IntegrityTracker({
      keys: new PublicKeyCache(async () => [key]),
      graceMs: GRACE,
      priorScanState: true,
    });
    // Tracking starts after the first hour's log files were read by an earlier, untracked scan.
    const untracked = new Set(c.logFiles.slice(0, 2));
    const later = new DigestChain(c.opts);
    for (const [k, o] of c.objects) if (!untracked.has(k)) later.objects.set(k, o);
    t.sweep(kv, T0 + H); // the tracker's first call
    const { problems } = await streamProblems(later, kv, t);
    assert.deepEqual(problems, []);
  });

  it("calls a never-seen file missing when the scan state was fresh, however old the file", async () => {
    const c = tenHours();
    const gone = c.logFiles[0];
    c.objects.delete(gone);
    const kv = new MemoryKeyValueStore();
    const t = new IntegrityTracker({ keys: new PublicKeyCache(async () => [key]), graceMs: GRACE });
    t.sweep(kv, T0 + H);
    const { problems } = await streamProblems(c, kv, t);
    assert.deepEqual(problems, [`log-missing ${gone}`]);
  });

  it("gives detections that schema/scan-report accepts, integrity object included", async () => {
    const c = tenHours();
    c.objects.delete(c.digests[3]);
    c.logFile(new Date(T0 + 5 * H + 10 * 60_000));
    const { detections } = await streamProblems(c);
    assert.ok(detections.length >= 2);
    const summary = emptySummary();
    summary.integrity = {
      digestsRead: 9,
      verifiedFiles: 18,
      verifiedDigests: 9,
      problems: { "digest-missing": 1 },
    };
    const validate = validatorFor("scan-report");
    const report = {
      schemaVersion: 1,
      tool: { name: "trailwarden", version: "0" },
      rules: { loaded: 0, problems: [] },
      summary,
      detections,
    };
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });
});
