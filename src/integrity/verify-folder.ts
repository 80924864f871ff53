// On-demand verification of one trail's digests and log files in one account × region folder of
// its bucket, over a time window. I/O goes through an IntegrityReader (S3 in production, a map in
// unit tests); the verdicts are the contract:
//   digests   valid | invalid (malformed, moved, bad signature, broken link) | missing
//   log files valid | modified | missing (listed, not found) | unlisted (no valid digest lists it,
//             though a digest deciding about its delivery time exists)
//   gaps      a digest that starts a new chain after an earlier one: from = the earlier digest's
//             digestEndTime, to = the new chain's digestStartTime
// Anything that could not be read is an error (undetermined), never a verdict.
import { errorCode } from "../aws/clients.ts";
import { mapLimit } from "../util/limit.ts";
import { checkDigest, type DigestCheck, linkProblem, periodCovers, previousOf } from "./check.ts";
import { dayFolder, digestKeyFor, parseDigestKey, parseLogFileKey } from "./digest.ts";
import type {
  DigestVerdict,
  FolderResult,
  FolderScope,
  LogFileVerdict,
  LogHash,
  Undetermined,
  VerifyOptions,
} from "./types.ts";

const HOUR = 3_600_000;
const MAX_MESSAGE = 300;

interface Loaded {
  bucket: string;
  key: string;
  keyTime?: number;
  backfill: boolean;
  listed: boolean;
  missing?: boolean;
  unknown?: boolean;
  check?: DigestCheck;
  /** Set when a chain link fails: the digest itself is authentic but its link is not. */
  linkReason?: string;
}

interface Period {
  start: number;
  end: number;
}

/** Every UTC day folder from `from` to `to`. */
export function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  const t = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (t.getTime() <= to.getTime()) {
    days.push(dayFolder(t));
    t.setUTCDate(t.getUTCDate() + 1);
  }
  return days;
}

export async function verifyFolder(scope: FolderScope, opts: VerifyOptions): Promise<FolderResult> {
  const out: FolderResult = { digests: [], logFiles: [], gaps: [], errors: [], unverifiedLogFiles: [] };
  const { bucket, root, account, region } = scope;
  const concurrency = opts.concurrency ?? 8;
  const start = opts.start.getTime();
  const end = opts.end.getTime();
  // Digests are written up to an hour after the files they list: look an hour past the window.
  const horizon = Math.min(opts.now.getTime(), end + HOUR);
  const fail = (operation: string, err: unknown, key?: string, where = bucket) => {
    const e: Undetermined = {
      operation,
      code: errorCode(err),
      message: String((err as Error)?.message ?? err)
        .replace(/\s+/g, " ")
        .slice(0, MAX_MESSAGE),
      account,
      region,
      bucket: where,
    };
    if (key) e.key = key;
    out.errors.push(e);
  };

  const list = async (prefix: string, to: number): Promise<string[] | undefined> => {
    const keys: string[] = [];
    for (const day of daysBetween(opts.start, new Date(to))) {
      try {
        keys.push(...(await opts.reader.listKeys(bucket, `${prefix}${day}`)));
      } catch (err) {
        fail("ListObjectsV2", err, `${prefix}${day}`);
        return undefined;
      }
    }
    return keys;
  };
  const digestKeys = await list(`${root}${account}/CloudTrail-Digest/${region}/`, horizon);
  const logKeys = await list(`${root}${account}/CloudTrail/${region}/`, end);
  if (!digestKeys || !logKeys) return out;

  // 1. Every digest of this trail in the window, checked on its own.
  const loaded = new Map<string, Loaded>();
  const id = (b: string, k: string) => `${b}/${k}`;
  const load = async (b: string, key: string, listed: boolean): Promise<Loaded> => {
    const parts = parseDigestKey(key);
    const l: Loaded = {
      bucket: b,
      key,
      keyTime: parts?.time.getTime(),
      backfill: parts?.backfill ?? false,
      listed,
    };
    loaded.set(id(b, key), l);
    let operation = "GetObject";
    try {
      const obj = await opts.reader.getDigest(b, key);
      if (!obj) l.missing = true;
      else {
        operation = "ListPublicKeys";
        l.check = await checkDigest(b, key, parts?.region ?? region, obj, opts.keys);
      }
    } catch (err) {
      l.unknown = true;
      fail(operation, err, key, b);
    }
    return l;
  };
  const ours = digestKeys.filter((k) => {
    const p = parseDigestKey(k);
    if (!p || p.trailName !== scope.trailName || p.homeRegion !== scope.homeRegion) return false;
    const t = p.time.getTime();
    return t >= start && t <= horizon;
  });
  await mapLimit(ours, concurrency, (k) => load(bucket, k, true));

  // 2. Chain links: each authentic digest against the digest it names as previous.
  const authentic = (l: Loaded | undefined) => l?.check?.status === "valid";
  const linked = [...loaded.values()].filter(authentic);
  await mapLimit(linked, concurrency, async (l) => {
    const d = l.check!.parsed!.digest;
    const prev = previousOf(d);
    if (!prev) return;
    const p = loaded.get(id(prev.bucket, prev.key)) ?? (await load(prev.bucket, prev.key, false));
    if (p.missing || p.unknown || !authentic(p)) return; // the predecessor is itself the finding
    const problem = linkProblem(d, { hash: p.check!.parsed!.hash, signature: p.check!.signature });
    if (problem) l.linkReason = problem;
  });

  // 3. Digest verdicts, and the periods each chain decides about.
  const periods: Period[] = [];
  const unknownPeriods: Period[] = [];
  const chainEnds: { end: number; key: string; l: Loaded }[] = [];
  for (const l of loaded.values()) {
    const parsed = l.check?.parsed?.digest;
    const keyPeriod = l.keyTime !== undefined ? { start: l.keyTime - HOUR, end: l.keyTime } : undefined;
    if (l.unknown) {
      if (keyPeriod) unknownPeriods.push(keyPeriod);
      continue;
    }
    const v: DigestVerdict = { key: l.key, status: "valid", account, region };
    if (l.missing) {
      v.status = "missing";
      v.reason = l.listed ? "listed, then gone" : "named as previous digest by a later digest";
    } else if (l.check!.status === "invalid") {
      v.status = "invalid";
      v.reason = l.check!.reason;
    } else if (l.linkReason) {
      v.status = "invalid";
      v.reason = l.linkReason;
    }
    if (parsed && l.check?.status === "valid") {
      v.digestStartTime = parsed.digestStartTime;
      v.digestEndTime = parsed.digestEndTime;
      periods.push({ start: Date.parse(parsed.digestStartTime), end: Date.parse(parsed.digestEndTime) });
    } else if (keyPeriod) periods.push(keyPeriod);
    if (l.backfill) v.backfill = true;
    // Outside the window, a predecessor is reported only when it is a finding.
    if (l.listed || v.status !== "valid") out.digests.push(v);
    if (!l.backfill && l.listed && v.status !== "missing") {
      const e = parsed && l.check?.status === "valid" ? Date.parse(parsed.digestEndTime) : l.keyTime;
      if (e !== undefined) chainEnds.push({ end: e, key: l.key, l });
    }
  }
  // A missing digest named by its successor decided about the time up to that successor's start.
  for (const l of loaded.values()) {
    const d = authentic(l) ? l.check!.parsed!.digest : undefined;
    const prev = d && previousOf(d);
    const p = prev && loaded.get(id(prev.bucket, prev.key));
    if (p?.missing && p.keyTime !== undefined)
      periods.push({ start: p.keyTime - HOUR, end: Date.parse(d!.digestStartTime) });
  }

  // 4. Gaps: an authentic digest with no previous link after an earlier digest of the same chain kind.
  const chainStarts = [...loaded.values()].filter(
    (l) => l.listed && authentic(l) && !previousOf(l.check!.parsed!.digest),
  );
  for (const s of chainStarts) {
    const d = s.check!.parsed!.digest;
    const startsAt = Date.parse(d.digestStartTime);
    let before: { end: number; key: string } | undefined;
    for (const l of loaded.values()) {
      if (!l.listed || !authentic(l) || l.backfill !== s.backfill || l === s) continue;
      const e = Date.parse(l.check!.parsed!.digest.digestEndTime);
      if (e <= startsAt && (!before || e > before.end)) before = { end: e, key: l.key };
    }
    if (before)
      out.gaps.push({
        from: new Date(before.end).toISOString().replace(/\.000Z$/, "Z"),
        to: d.digestStartTime,
        account,
        region,
        lastDigest: before.key,
        nextDigest: s.key,
      });
  }

  // 5. The newest digest: log files delivered after it, past the grace period, mean the next
  // digest should exist. It is reported missing under the key CloudTrail would have used.
  const logs = logKeys
    .map((key) => ({ key, t: parseLogFileKey(key)?.time.getTime() }))
    .filter((f): f is { key: string; t: number } => f.t !== undefined && f.t >= start && f.t <= end);
  const covered = (t: number) => periods.some((p) => periodCovers(p, t));
  const newest = chainEnds.sort((a, b) => b.end - a.end)[0];
  if (newest) {
    const late = logs.filter(
      (f) => !covered(f.t) && f.t >= newest.end - 60_000 && f.t + opts.graceMs <= horizon,
    );
    if (late.length) {
      const expectedEnd = new Date(newest.end + HOUR);
      out.digests.push({
        key: digestKeyFor({ ...scope, backfill: false }, expectedEnd),
        status: "missing",
        reason: `no digest after ${new Date(newest.end).toISOString()} though log files were delivered after it (the newest digest was deleted, or validation was turned off)`,
        account,
        region,
        inferredKey: true,
      });
      periods.push({ start: newest.end, end: Number.POSITIVE_INFINITY });
    }
  } else if (logs.some((f) => f.t + opts.graceMs <= horizon) && !unknownPeriods.length) {
    out.errors.push({
      operation: "ListObjectsV2",
      code: "NoDigestFiles",
      message: `no digest file of trail ${scope.trailName} in the window, though log files were delivered`,
      account,
      region,
      bucket,
      key: `${root}${account}/CloudTrail-Digest/${region}/`,
    });
  }

  // 6. Log files listed by a valid digest: hash what is in S3 now.
  const listed = new Map<string, { bucket: string; key: string; hash: string; digest: string }>();
  for (const l of loaded.values()) {
    // Digests of the window only: a predecessor read for its link lists files from before the window.
    if (!l.listed || !authentic(l) || l.linkReason) continue;
    for (const f of l.check!.parsed!.digest.logFiles) {
      const k = id(f.s3Bucket, f.s3Object);
      if (!listed.has(k))
        listed.set(k, {
          bucket: f.s3Bucket,
          key: f.s3Object,
          hash: f.hashValue.toLowerCase(),
          digest: l.key,
        });
    }
  }
  const verdicts = await mapLimit(
    [...listed.values()],
    concurrency,
    async (f): Promise<LogFileVerdict | undefined> => {
      let got: LogHash | undefined;
      try {
        got = await opts.reader.hashLogFile(f.bucket, f.key);
      } catch (err) {
        fail("GetObject", err, f.key, f.bucket);
        return undefined;
      }
      const v: LogFileVerdict = { key: f.key, status: "valid", expected: f.hash, digest: f.digest };
      if (!got) {
        v.status = "missing";
        v.reason = "listed by a digest, not in S3";
      } else if ("corrupt" in got) {
        v.status = "modified";
        v.reason = `not the gzip CloudTrail wrote: ${got.corrupt}`;
      } else {
        v.actual = got.sha256;
        if (got.sha256 !== f.hash) {
          v.status = "modified";
          v.reason = "SHA-256 of the uncompressed content differs from the digest's hashValue";
        }
      }
      return v;
    },
  );
  for (const v of verdicts) if (v) out.logFiles.push(v);

  // 7. Log files in the folder that no valid digest lists.
  for (const f of logs) {
    if (listed.has(id(bucket, f.key))) continue;
    if (covered(f.t))
      out.logFiles.push({ key: f.key, status: "unlisted", reason: "no valid digest lists it" });
    else if (unknownPeriods.some((p) => periodCovers(p, f.t)))
      out.unverifiedLogFiles.push({ key: f.key, reason: "undetermined" });
    else if (newest && f.t >= newest.end - 60_000)
      out.unverifiedLogFiles.push({ key: f.key, reason: "awaiting-digest" });
    else out.unverifiedLogFiles.push({ key: f.key, reason: "not-covered" });
  }
  return out;
}
