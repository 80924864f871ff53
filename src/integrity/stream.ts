// Log integrity while scanning. The scan hands over (a) every digest object it lists and (b) every
// log file's key with the SHA-256 of the uncompressed bytes it already read (ContentHasher on the
// reader's onContent hook: no second GET, no second inflate). The tracker keeps, per account ×
// region folder of a bucket, the recent links of each digest chain, the periods digests decided
// about, files seen but not yet listed and files listed but not yet seen, in a small key-value
// store (JSON values; the state store backs it, in the file's own transaction). Each problem is a
// detection (see detection.ts) with the same verdicts as `verify`:
//   digest-invalid  bad signature, malformed, moved, or a previous link that does not match
//   digest-missing  named as previous but never seen within the grace period, or the newest digest
//                   absent while log files delivered after it are older than the grace period
//   log-modified    the hash differs from the digest's hashValue
//   log-missing     listed, and not seen within the grace period after the digest arrived
//   log-unlisted    a digest deciding about its delivery time exists and no valid digest lists it
//   gap             a digest that starts a new chain after an earlier one
import {
  checkDigest,
  type DigestCheck,
  type DigestObject,
  linkProblem,
  periodCovers,
  previousOf,
} from "./check.ts";
import { type IntegrityDetection, type IntegrityKind, integrityDetection } from "./detection.ts";
import {
  type DigestFile,
  type DigestKeyParts,
  digestKeyFor,
  parseDigestKey,
  parseLogFileKey,
} from "./digest.ts";
import type { PublicKeyCache } from "./keys.ts";
import {
  type FolderState,
  folders,
  type KeyValueStore,
  type Link,
  loadFolder,
  NAMESPACE,
  type Seen,
  saveFolder,
} from "./stream-state.ts";
import type { LogHash } from "./types.ts";

const HOUR = 3_600_000;
const FOREVER = 8.64e15;
const RECENT_LINKS = 48;

export interface IntegrityCounters {
  verifiedFiles: number;
  verifiedDigests: number;
  problems: Record<IntegrityKind, number>;
}

export interface CheckedDigest {
  bucket: string;
  key: string;
  parts: DigestKeyParts;
  check: DigestCheck;
}

export interface IntegrityTrackerOptions {
  keys: PublicKeyCache;
  graceMs: number;
  /** Unlisted files of a folder without any digest chain are forgotten after this (default 6 h). */
  forgetUnjudgedMs?: number;
  /**
   * The scan's state already held processed files when tracking began: files delivered before
   * then may have been read without a hash, so their absence is not reported as missing.
   */
  priorScanState?: boolean;
}

/** A trail's ARN when the layout names its owner; an organization trail's name and home region. */
function trailLabel(p: Omit<DigestKeyParts, "time">): string {
  const org = /\/(o-[a-z0-9]+)\/$/.exec(p.root)?.[1];
  return org
    ? `${p.trailName}@${p.homeRegion} (${org})`
    : `arn:aws:cloudtrail:${p.homeRegion}:${p.account}:trail/${p.trailName}`;
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, "Z");

export class IntegrityTracker {
  readonly counters: IntegrityCounters = {
    verifiedFiles: 0,
    verifiedDigests: 0,
    problems: {
      "digest-invalid": 0,
      "digest-missing": 0,
      "log-modified": 0,
      "log-missing": 0,
      "log-unlisted": 0,
      gap: 0,
    },
  };

  constructor(private readonly opts: IntegrityTrackerOptions) {}

  /** Verify a digest object on its own (may call ListPublicKeys); undefined for a non-digest key. */
  async checkDigest(bucket: string, key: string, obj: DigestObject): Promise<CheckedDigest | undefined> {
    const parts = parseDigestKey(key);
    if (!parts) return undefined;
    return { bucket, key, parts, check: await checkDigest(bucket, key, parts.region, obj, this.opts.keys) };
  }

  /** checkDigest then applyDigest. */
  async onDigest(
    kv: KeyValueStore,
    bucket: string,
    key: string,
    obj: DigestObject,
    now: number,
  ): Promise<IntegrityDetection[]> {
    const checked = await this.checkDigest(bucket, key, obj);
    return checked ? this.applyDigest(kv, checked, now) : [];
  }

  /** Record a checked digest: chain link, the period it decides about, the files it lists. */
  applyDigest(kv: KeyValueStore, c: CheckedDigest, now: number): IntegrityDetection[] {
    this.started(kv, now);
    const { bucket, key, parts, check } = c;
    const st = loadFolder(kv, bucket, parts.root, parts.account, parts.region);
    const { time: _t, ...chainParts } = parts;
    const chainId = `${parts.trailName}/${parts.homeRegion}${parts.backfill ? "/backfill" : ""}`;
    st.chains[chainId] ??= {
      parts: chainParts,
      trail: trailLabel(chainParts),
      recent: [],
      invalid: [],
      awaiting: [],
    };
    const chain = st.chains[chainId];
    const out: IntegrityDetection[] = [];
    const emit = this.emitter(out, st);
    if (check.status !== "valid") {
      emit("digest-invalid", key, chain.trail, null, check.reason, parts.time.getTime());
      chain.invalid = [...chain.invalid, key].slice(-RECENT_LINKS);
      chain.awaiting = chain.awaiting.filter((x) => x.prevKey !== key);
      st.periods.push({ start: parts.time.getTime() - HOUR, end: parts.time.getTime(), chain: chainId });
      saveFolder(kv, st);
      return out;
    }
    const d = check.parsed.digest;
    const start = Date.parse(d.digestStartTime);
    const end = Date.parse(d.digestEndTime);
    let trusted = true;
    const prev = previousOf(d);
    if (!prev) {
      let before: Link | undefined;
      for (const l of chain.recent) if (l.end <= start && (!before || l.end > before.end)) before = l;
      if (before) emit("gap", key, chain.trail, iso(before.end), d.digestStartTime, start);
    } else {
      const p = chain.recent.find((l) => l.key === prev.key);
      const problem = p && linkProblem(d, p);
      if (problem) {
        emit("digest-invalid", key, chain.trail, null, problem, end);
        trusted = false;
      } else if (!p && chain.recent.length && !chain.invalid.includes(prev.key))
        chain.awaiting.push({
          prevKey: prev.key,
          successor: key,
          successorStart: start,
          prevHash: d.previousDigestHashValue,
          prevSignature: d.previousDigestSignature,
          // Grace runs from the successor's delivery: a backlog read in one poll is judged at once.
          since: Math.min(now, parts.time.getTime()),
        });
    }
    // A successor that arrived first was waiting for this digest.
    for (const a of chain.awaiting.filter((x) => x.prevKey === key)) {
      const link = {
        previousDigestHashValue: a.prevHash,
        previousDigestSignature: a.prevSignature,
      } as DigestFile;
      const problem = linkProblem(link, { hash: check.parsed.hash, signature: check.signature });
      if (problem) emit("digest-invalid", a.successor, chain.trail, null, problem, a.successorStart);
    }
    chain.awaiting = chain.awaiting.filter((x) => x.prevKey !== key);
    chain.recent = [...chain.recent, { key, start, end, hash: check.parsed.hash, signature: check.signature }]
      .sort((a, b) => a.end - b.end)
      .slice(-RECENT_LINKS);
    if (chain.inferredMissing) {
      for (const p of st.periods) if (p.chain === chainId && p.end === FOREVER) p.end = start;
      chain.inferredMissing = undefined;
    }
    st.periods.push({ start, end, chain: chainId });
    const listed = new Set<string>();
    if (trusted) {
      this.counters.verifiedDigests++;
      const startedAt = this.startedAt(kv);
      for (const f of d.logFiles) {
        if (f.s3Bucket !== bucket) continue;
        listed.add(f.s3Object);
        const hash = f.hashValue.toLowerCase();
        const seen = st.seen[f.s3Object];
        if (seen) {
          delete st.seen[f.s3Object];
          this.judge(emit, f.s3Object, chain.trail, hash, seen);
        } else {
          // A file delivered before tracking began may have been read by an untracked scan.
          const delivered = parseLogFileKey(f.s3Object)?.time.getTime() ?? start;
          st.expected[f.s3Object] = {
            hash,
            digest: key,
            chain: chainId,
            at: Math.min(now, parts.time.getTime()),
            bootstrap: delivered < startedAt,
          };
        }
      }
    }
    for (const [k, s] of Object.entries(st.seen))
      if (!listed.has(k) && periodCovers({ start, end }, s.t)) {
        delete st.seen[k];
        emit("log-unlisted", k, chain.trail, null, s.hash ?? `corrupt: ${s.corrupt}`, s.t);
      }
    saveFolder(kv, st);
    return out;
  }

  /** A log file the scan read, with the hash of its uncompressed bytes. */
  onLogFile(
    kv: KeyValueStore,
    bucket: string,
    key: string,
    hash: LogHash,
    now: number,
  ): IntegrityDetection[] {
    const parts = parseLogFileKey(key);
    if (!parts) return [];
    this.started(kv, now);
    const st = loadFolder(kv, bucket, parts.root, parts.account, parts.region);
    const out: IntegrityDetection[] = [];
    const emit = this.emitter(out, st);
    const t = parts.time.getTime();
    const seen: Seen =
      "sha256" in hash ? { hash: hash.sha256, t, at: now } : { corrupt: hash.corrupt, t, at: now };
    const exp = st.expected[key];
    const covering = st.periods.find((p) => periodCovers(p, t));
    if (exp) {
      delete st.expected[key];
      this.judge(emit, key, st.chains[exp.chain]?.trail ?? "", exp.hash, seen);
    } else if (covering)
      emit(
        "log-unlisted",
        key,
        st.chains[covering.chain]?.trail ?? "",
        null,
        seen.hash ?? `corrupt: ${seen.corrupt}`,
        t,
      );
    else st.seen[key] = seen;
    saveFolder(kv, st);
    return out;
  }

  /** Time-driven verdicts: missing files and digests, and files unlisted past the grace period. */
  sweep(kv: KeyValueStore, now: number): IntegrityDetection[] {
    const out: IntegrityDetection[] = [];
    const grace = this.opts.graceMs;
    for (const st of folders(kv)) {
      const emit = this.emitter(out, st);
      for (const [k, e] of Object.entries(st.expected))
        if (e.at + grace <= now) {
          delete st.expected[k];
          if (!e.bootstrap) emit("log-missing", k, st.chains[e.chain]?.trail ?? "", e.hash, null, now);
        }
      for (const [chainId, chain] of Object.entries(st.chains)) {
        for (const a of chain.awaiting.filter((x) => x.since + grace <= now)) {
          const t = parseDigestKey(a.prevKey)?.time.getTime() ?? a.successorStart;
          emit("digest-missing", a.prevKey, chain.trail, a.prevKey, null, t);
          st.periods.push({ start: t - HOUR, end: a.successorStart, chain: chainId });
        }
        chain.awaiting = chain.awaiting.filter((x) => x.since + grace > now);
        // The newest digest: files delivered after it and older than the grace period mean the next
        // digest should be there.
        if (chain.parts.backfill || !chain.recent.length || chain.inferredMissing) continue;
        const lastEnd = chain.recent[chain.recent.length - 1].end;
        const late = Object.values(st.seen).some(
          (s) =>
            s.t >= lastEnd - 60_000 && s.t + grace <= now && !st.periods.some((p) => periodCovers(p, s.t)),
        );
        if (!late) continue;
        const missing = digestKeyFor(chain.parts, new Date(lastEnd + HOUR));
        chain.inferredMissing = missing;
        emit("digest-missing", missing, chain.trail, missing, null, lastEnd + HOUR);
        st.periods.push({ start: lastEnd, end: FOREVER, chain: chainId });
      }
      const anyChain = Object.keys(st.chains).length > 0;
      for (const [k, s] of Object.entries(st.seen)) {
        const covering = st.periods.find((p) => periodCovers(p, s.t));
        if (covering) {
          delete st.seen[k];
          emit(
            "log-unlisted",
            k,
            st.chains[covering.chain]?.trail ?? "",
            null,
            s.hash ?? `corrupt: ${s.corrupt}`,
            s.t,
          );
        } else if (!anyChain && s.at + (this.opts.forgetUnjudgedMs ?? 6 * HOUR) <= now) delete st.seen[k];
      }
      saveFolder(kv, st);
    }
    return out;
  }

  private judge(
    emit: ReturnType<IntegrityTracker["emitter"]>,
    key: string,
    trail: string,
    expected: string,
    seen: Seen,
  ): void {
    if (seen.hash === expected) {
      this.counters.verifiedFiles++;
      return;
    }
    emit("log-modified", key, trail, expected, seen.hash ?? `corrupt: ${seen.corrupt}`, seen.t);
  }

  private emitter(out: IntegrityDetection[], st: FolderState) {
    return (
      kind: IntegrityKind,
      key: string,
      trail: string,
      expected: string | null,
      actual: string | null,
      t: number,
    ) => {
      this.counters.problems[kind]++;
      out.push(
        integrityDetection(
          { kind, key, trail, expected, actual },
          { bucket: st.bucket, account: st.account, region: st.region, time: new Date(t) },
        ),
      );
    };
  }

  private started(kv: KeyValueStore, now: number): void {
    if (kv.get(NAMESPACE, "meta") === undefined)
      kv.put(NAMESPACE, "meta", { startedAt: now, untrackedBefore: this.opts.priorScanState ? now : 0 });
  }

  /** Files delivered before this may have been read before tracking began (0: none). */
  private startedAt(kv: KeyValueStore): number {
    return (kv.get(NAMESPACE, "meta") as { untrackedBefore?: number } | undefined)?.untrackedBefore ?? 0;
  }
}
