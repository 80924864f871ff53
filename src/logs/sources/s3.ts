// s3://bucket/prefix: CloudTrail's S3 layout. Accounts and regions are discovered with delimited
// listings (or taken from config), and each account × region folder is listed from a StartAfter
// key: the lesser of its cursor and the look-back start. A poll so lists only the look-back window
// and what is new, never the bucket's history; files inside the window already processed are
// remembered in the state store and skipped.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { errorCode } from "../../aws/clients.ts";
import type { StateStore } from "../../state/store.ts";
import { forEachBounded } from "../../util/limit.ts";
import { type FileOutcome, type LogFileRef, processLogFile } from "../processor.ts";
import { waitsInQuarantine } from "../quarantine.ts";
import { isJsonLinesName, WHOLE_FILE_MAX_BYTES } from "../reader.ts";
import { type LogKind, logFolder, minKey, parseLogKey, parseS3Url, startAfterFor } from "../s3-layout.ts";
import { addError, type SourceSummary, sourceSummary } from "../summary.ts";
import { addCounters, logFileIntegrity, processDigest, snapshot, sweepIntegrity } from "./s3-integrity.ts";
import type { LogSource, SourceRunContext } from "./source.ts";

const ACCOUNT_DIR = /^\d{12}\/$/;
const FOLDERS_AT_ONCE = 4;
const ORG_DIR = /^o-[a-z0-9]+\/$/;

export function s3Ref(
  s3: S3Client,
  bucket: string,
  key: string,
  scope?: string,
  ctx?: SourceRunContext,
): LogFileRef {
  return {
    integrity: ctx && logFileIntegrity(ctx, bucket, key),
    key: `s3://${bucket}/${key}`,
    scope,
    logFile: `s3://${bucket}/${key}`,
    lines: isJsonLinesName(key),
    open: async (signal) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      if (!out.Body) throw new Error("GetObject returned no body");
      // Downloaded whole, the bytes go to a scan worker; the download runs ahead on this thread
      // while the workers judge earlier files. Bigger objects are read as a stream, on this thread.
      if (out.ContentLength !== undefined && out.ContentLength <= WHOLE_FILE_MAX_BYTES)
        return out.Body.transformToByteArray();
      return out.Body as AsyncIterable<Uint8Array>;
    },
  };
}

export class S3Source implements LogSource {
  readonly type = "s3";
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly region?: string;
  /** StartAfter bounds of the folders listed in the last poll; keys below them are never re-listed. */
  private readonly bounds = new Map<string, string>();

  constructor(readonly url: string) {
    const u = parseS3Url(url);
    this.bucket = u.bucket;
    this.prefix = u.prefix;
    this.region = u.region;
  }

  async run(ctx: SourceRunContext): Promise<SourceSummary> {
    const summary = sourceSummary(this.url, "s3");
    summary.listCalls = 0;
    if (!ctx.clients) throw new Error("s3 source needs AWS clients");
    const s3 = ctx.clients.s3(this.region ?? ctx.config.aws.region);
    const list = this.lister(s3, ctx, summary);
    const counted = snapshot(ctx);
    const errorsBefore = ctx.summary.errors.length;
    const folders = await this.discover(ctx, list, summary);
    const lookbackStart = new Date(ctx.now.getTime() - ctx.config.logs.lookbackHours * 3_600_000);
    const firstStart = ctx.since ?? lookbackStart;
    // A few folders at a time; a folder that fails is reported by account and region, the others go on.
    await forEachBounded(folders, FOLDERS_AT_ONCE, async (folder) => {
      const cursorKey = `s3://${this.bucket}/${folder}`;
      const cursor = ctx.state.cursor(cursorKey);
      const startAfter =
        cursor === undefined
          ? startAfterFor(folder, firstStart)
          : minKey(cursor, startAfterFor(folder, lookbackStart));
      this.bounds.set(cursorKey, `s3://${this.bucket}/${startAfter}`);
      try {
        await this.pollFolder(ctx, s3, list, folder, startAfter, cursorKey, summary);
      } catch (err) {
        const message = `listing ${folder} failed: ${errorCode(err)}: ${(err as Error).message}`;
        addError(ctx.summary, this.url, message);
        ctx.logger.error("s3 folder not listed", { source: this.url, folder, error: message });
      }
    });
    // Time-driven verdicts only after a complete poll: a folder or file that failed is not "missing".
    const complete = ctx.summary.errors.length === errorsBefore && !ctx.signal?.aborted;
    if (ctx.integrity && complete) await sweepIntegrity(ctx, this.bucket);
    if (counted) addCounters(ctx, counted);
    await this.retryQuarantined(ctx, s3, summary);
    return summary;
  }

  /**
   * For a backfill (src/logs/backfill.ts): the client, a lister counting its calls, and the
   * account × region folders of CloudTrail log files, without cursors.
   */
  async listing(
    ctx: SourceRunContext,
    summary: SourceSummary,
  ): Promise<{ s3: S3Client; list: Lister; folders: string[]; bucket: string }> {
    if (!ctx.clients) throw new Error("s3 source needs AWS clients");
    summary.listCalls ??= 0;
    const s3 = ctx.clients.s3(this.region ?? ctx.config.aws.region);
    const list = this.lister(s3, ctx, summary);
    const folders = (await this.discover(ctx, list, summary)).filter((f) => /\/CloudTrail\/[^/]+\/$/.test(f));
    return { s3, list, folders, bucket: this.bucket };
  }

  private lister(s3: S3Client, ctx: Pick<SourceRunContext, "signal">, summary: SourceSummary): Lister {
    return async (input) => {
      summary.listCalls = (summary.listCalls ?? 0) + 1;
      return s3.send(new ListObjectsV2Command({ Bucket: this.bucket, ...input }), {
        abortSignal: ctx.signal,
      });
    };
  }

  /** Forget files below the StartAfter bound of their folder: no poll lists them again. */
  prune(state: StateStore): void {
    for (const [scope, bound] of this.bounds) state.forgetFilesUpTo(scope, bound);
  }

  /** Quarantined keys of this bucket whose retry time has come, wherever the cursor now is. */
  private async retryQuarantined(ctx: SourceRunContext, s3: S3Client, summary: SourceSummary): Promise<void> {
    const due = ctx.state.dueForRetry(`s3://${this.bucket}/`, ctx.now.getTime());
    await Promise.all(
      due.map((q) => {
        if (ctx.signal?.aborted) return undefined;
        const ref = s3Ref(s3, this.bucket, q.key.slice(`s3://${this.bucket}/`.length), q.scope, ctx);
        return ctx.limit(() => processLogFile(ctx, ref, summary));
      }),
    );
  }

  private async discover(ctx: SourceRunContext, list: Lister, summary: SourceSummary): Promise<string[]> {
    const { accounts, regions, includeDigest, includeInsight } = ctx.config.logs;
    const kinds: LogKind[] = ["CloudTrail"];
    if (includeDigest || ctx.integrity) kinds.push("CloudTrail-Digest");
    if (includeInsight) kinds.push("CloudTrail-Insight");
    const roots = [`${this.prefix}AWSLogs/`];
    const accountDirs: { root: string; account: string }[] = [];
    while (roots.length) {
      const root = roots.shift()!;
      for (const dir of await listDirs(list, root, summary)) {
        const rel = dir.slice(root.length);
        if (ORG_DIR.test(rel) && root === `${this.prefix}AWSLogs/`) roots.push(dir);
        else if (ACCOUNT_DIR.test(rel)) {
          const account = rel.slice(0, 12);
          if (!accounts || accounts.includes(account)) accountDirs.push({ root, account });
        }
      }
    }
    const folders: string[] = [];
    for (const { root, account } of accountDirs) {
      for (const kind of kinds) {
        if (regions) {
          for (const r of regions) folders.push(logFolder(root, account, kind, r));
          continue;
        }
        const base = `${root}${account}/${kind}/`;
        for (const dir of await listDirs(list, base, summary)) folders.push(dir);
      }
    }
    return folders;
  }

  private async pollFolder(
    ctx: SourceRunContext,
    s3: S3Client,
    list: Lister,
    folder: string,
    startAfter: string,
    cursorKey: string,
    summary: SourceSummary,
  ): Promise<void> {
    let token: string | undefined;
    // The cursor only moves over a run of keys that are all done or quarantined (retried by key),
    // so a file left by an abort is listed again.
    let contiguous = true;
    let cursor = ctx.state.cursor(cursorKey);
    do {
      const page = await list({
        Prefix: folder,
        StartAfter: token ? undefined : startAfter,
        ContinuationToken: token,
      });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      const keys = (page.Contents ?? []).map((o) => o.Key ?? "");
      const outcomes = await Promise.all(keys.map((key) => this.handleKey(ctx, s3, key, summary)));
      for (let i = 0; i < keys.length; i++) {
        if (outcomes[i] === "failed") contiguous = false;
        if (contiguous && (cursor === undefined || keys[i] > cursor)) cursor = keys[i];
      }
      if (contiguous && cursor !== undefined) ctx.state.setCursor(cursorKey, cursor);
    } while (token && !ctx.signal?.aborted);
  }

  private async handleKey(
    ctx: SourceRunContext,
    s3: S3Client,
    key: string,
    summary: SourceSummary,
  ): Promise<FileOutcome | "skipped" | "ignored"> {
    const parsed = parseLogKey(key);
    const digest =
      parsed?.kind === "CloudTrail-Digest" || /\/CloudTrail-Digest\/.*_backfill\.json\.gz$/.test(key);
    if (digest && ctx.integrity) {
      const ref = `s3://${this.bucket}/${key}`;
      if (ctx.signal?.aborted) return "failed";
      if (ctx.state.isDone(ref)) {
        summary.files.skipped++;
        return "skipped";
      }
      const scope = parsed ? `s3://${this.bucket}/${parsed.folder}` : undefined;
      return ctx.limit(() => processDigest(ctx, s3, this.bucket, key, summary, scope));
    }
    if (!parsed || digest) {
      // Digest files hold hashes of log files, not records; other objects are not logs at all.
      summary.files.ignored++;
      return "ignored";
    }
    const ref = s3Ref(s3, this.bucket, key, `s3://${this.bucket}/${parsed.folder}`, ctx);
    // After an abort the key is left for the next run: "failed" keeps the cursor before it.
    if (ctx.signal?.aborted) return "failed";
    if (ctx.state.isDone(ref.key)) {
      summary.files.skipped++;
      return "skipped";
    }
    // Quarantined and not yet due: its retry comes from the quarantine, not from the listing.
    if (waitsInQuarantine(ctx, ref.key)) return "quarantined";
    return ctx.limit(() => processLogFile(ctx, ref, summary));
  }
}

export type Lister = (input: {
  Prefix: string;
  Delimiter?: string;
  StartAfter?: string;
  ContinuationToken?: string;
}) => Promise<{
  Contents?: { Key?: string }[];
  CommonPrefixes?: { Prefix?: string }[];
  IsTruncated?: boolean;
  NextContinuationToken?: string;
}>;

/** The sub-folders of `prefix` (delimited listing); objects directly in it are counted as ignored. */
async function listDirs(list: Lister, prefix: string, summary: SourceSummary): Promise<string[]> {
  const dirs: string[] = [];
  let token: string | undefined;
  do {
    const page = await list({ Prefix: prefix, Delimiter: "/", ContinuationToken: token });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) dirs.push(p.Prefix);
    summary.files.ignored += page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return dirs;
}
