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
  dropPending,
  type FolderState,
  folders,
  getPending,
  type KeyValueStore,
  type Link,
  loadFolder,
  NAMESPACE,
  type PendingFile,
  pendingFiles,
  putPending,
  saveFolder,
} from "./stream-state.ts";
import type { LogHash } from "./types.ts";

const HOUR = 3_600_000;
const FOREVER = 8.64e15;
const RECENT_LINKS = 12;

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
      const untrackedBefore = this.untrackedBefore(kv);
      for (const f of d.logFiles) {
        const t = parseLogFileKey(f.s3Object)?.time.getTime();
        if (f.s3Bucket !== bucket || t === undefined) continue;
        listed.add(f.s3Object);
        const hash = f.hashValue.toLowerCase();
        const pending = getPending(kv, bucket, f.s3Object);
        if (pending?.kind === "seen") {
          dropPending(kv, st, f.s3Object, pending.t);
          this.judge(emit, f.s3Object, chain.trail, hash, pending);
        } else if (!pending)
          putPending(kv, st, f.s3Object, {
            kind: "expected",
            t,
            hash,
            digest: key,
            chain: chainId,
            // Grace runs from the digest's delivery: a backlog read in one poll is judged at once.
            at: Math.min(now, parts.time.getTime()),
            // A file delivered before tracking began may have been read by an untracked scan.
            bootstrap: t < untrackedBefore,
          });
      }
    }
    // Files already seen that this digest decides about and does not list.
    for (const [k, e] of pendingFiles(kv, st, start - 60_000, end + 60_000))
      if (e.kind === "seen" && !listed.has(k) && periodCovers({ start, end }, e.t)) {
        dropPending(kv, st, k, e.t);
        emit("log-unlisted", k, chain.trail, null, e.hash ?? `corrupt: ${e.corrupt}`, e.t);
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
    const seen: PendingFile =
      "sha256" in hash
        ? { kind: "seen", hash: hash.sha256, t, at: now }
        : { kind: "seen", corrupt: hash.corrupt, t, at: now };
    const pending = getPending(kv, bucket, key);
    let changed = false;
    if (pending?.kind === "expected") {
      changed = dropPending(kv, st, key, pending.t);
      this.judge(emit, key, st.chains[pending.chain]?.trail ?? "", pending.hash, seen);
    } else if (!pending) {
      const covering = st.periods.find((p) => periodCovers(p, t));
      if (covering)
        emit(
          "log-unlisted",
          key,
          st.chains[covering.chain]?.trail ?? "",
          null,
          seen.hash ?? `corrupt: ${seen.corrupt}`,
          t,
        );
      else changed = putPending(kv, st, key, seen);
    }
    // Read again while still waiting for its digest: nothing new.
    if (changed) saveFolder(kv, st);
    return out;
  }

  /** Time-driven verdicts: missing files and digests, and files unlisted past the grace period. */
  sweep(kv: KeyValueStore, now: number): IntegrityDetection[] {
    const out: IntegrityDetection[] = [];
    const grace = this.opts.graceMs;
    for (const st of folders(kv)) {
      const emit = this.emitter(out, st);
      let pending = pendingFiles(kv, st);
      const drop = (k: string, e: PendingFile) => {
        dropPending(kv, st, k, e.t);
        pending = pending.filter(([x]) => x !== k);
      };
      for (const [k, e] of pending)
        if (e.kind === "expected" && e.at + grace <= now) {
          drop(k, e);
          if (!e.bootstrap) emit("log-missing", k, st.chains[e.chain]?.trail ?? "", e.hash, null, now);
        }
      const seen = () =>
        pending.filter((p): p is [string, Extract<PendingFile, { kind: "seen" }>] => p[1].kind === "seen");
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
        const late = seen().some(
          ([, e]) =>
            e.t >= lastEnd - 60_000 && e.t + grace <= now && !st.periods.some((p) => periodCovers(p, e.t)),
        );
        if (!late) continue;
        const missing = digestKeyFor(chain.parts, new Date(lastEnd + HOUR));
        chain.inferredMissing = missing;
        emit("digest-missing", missing, chain.trail, missing, null, lastEnd + HOUR);
        st.periods.push({ start: lastEnd, end: FOREVER, chain: chainId });
      }
      const anyChain = Object.keys(st.chains).length > 0;
      for (const [k, e] of seen()) {
        const covering = st.periods.find((p) => periodCovers(p, e.t));
        if (covering) {
          drop(k, e);
          emit(
            "log-unlisted",
            k,
            st.chains[covering.chain]?.trail ?? "",
            null,
            e.hash ?? `corrupt: ${e.corrupt}`,
            e.t,
          );
        } else if (!anyChain && e.at + (this.opts.forgetUnjudgedMs ?? 6 * HOUR) <= now) drop(k, e);
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
    seen: { hash?: string; corrupt?: string; t: number },
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
  private untrackedBefore(kv: KeyValueStore): number {
    return (kv.get(NAMESPACE, "meta") as { untrackedBefore?: number } | undefined)?.untrackedBefore ?? 0;
  }
}
