// `verify` over trails: for each trail, find the account × region folders its digests live in
// (the owner's, or every member account's under the organization folder; the home region, or
// every audited region for a multi-region trail), verify each folder and gather the verdicts in
// the report the issue defines. A folder or object that cannot be read is an error of its trail
// (account, region, key), so the report can say exactly what stayed undetermined.
import { errorCode } from "../aws/clients.ts";
import { mapLimit } from "../util/limit.ts";
import { version } from "../version.ts";
import type { PublicKeyCache } from "./keys.ts";
import type {
  DigestVerdict,
  FolderScope,
  GapVerdict,
  IntegrityReader,
  LogFileVerdict,
  Undetermined,
  UnverifiedLogFile,
} from "./types.ts";
import { verifyFolder } from "./verify-folder.ts";

export interface TrailTarget {
  arn: string;
  name: string;
  homeRegion: string;
  ownerAccountId: string;
  isMultiRegion: boolean;
  isOrganizationTrail: boolean;
  bucket: string;
  prefix?: string;
  /** Regions a multi-region trail is expected to write digests in (the audited ones). */
  regions: string[];
  /** Reads the trail's bucket. */
  reader: IntegrityReader;
  /** Known from GetTrailStatus. */
  isLogging?: boolean;
}

export interface TrailReport {
  trail: string;
  bucket: string;
  prefix?: string;
  digests: DigestVerdict[];
  logFiles: LogFileVerdict[];
  gaps: GapVerdict[];
  /** What could not be determined, with where. */
  errors: Undetermined[];
  /** Log files in the window no digest decides about yet (or ever: a gap). */
  unverifiedLogFiles: UnverifiedLogFile[];
  folders: { account: string; region: string }[];
}

export interface VerifyReport {
  schemaVersion: 1;
  tool: { name: "trailwarden"; version: string };
  generatedAt: string;
  window: { start: string; end: string };
  trails: TrailReport[];
  /** Failures that belong to no single trail (account or region the audit could not read, unknown --trail). */
  errors: { message: string; trail?: string; account?: string; region?: string; code?: string }[];
  summary: {
    trails: number;
    digests: Record<"valid" | "invalid" | "missing", number>;
    logFiles: Record<"valid" | "modified" | "missing" | "unlisted", number>;
    gaps: number;
    errors: number;
    unverifiedLogFiles: number;
  };
}

export interface VerifyTrailsOptions {
  start: Date;
  end: Date;
  now?: Date;
  graceMs: number;
  keys: PublicKeyCache;
  /** Folders verified at once. */
  concurrency?: number;
}

const ORG_DIR = /\/o-[a-z0-9]+\/$/;
const ACCOUNT_DIR = /\/(\d{12})\/$/;

export async function verifyTrail(t: TrailTarget, opts: VerifyTrailsOptions): Promise<TrailReport> {
  const report: TrailReport = {
    trail: t.arn,
    bucket: t.bucket,
    digests: [],
    logFiles: [],
    gaps: [],
    errors: [],
    unverifiedLogFiles: [],
    folders: [],
  };
  if (t.prefix) report.prefix = t.prefix;
  const root = `${t.prefix ? `${t.prefix.replace(/\/$/, "")}/` : ""}AWSLogs/`;
  const listFolders = async (prefix: string, account: string, region: string): Promise<string[]> => {
    try {
      return await t.reader.listFolders(t.bucket, prefix);
    } catch (err) {
      report.errors.push({
        operation: "ListObjectsV2",
        code: errorCode(err),
        message: String((err as Error).message ?? err).slice(0, 300),
        account,
        region,
        bucket: t.bucket,
        key: prefix,
      });
      return [];
    }
  };
  // Account roots: the owner's; for an organization trail every member's under o-xxx/.
  const accountRoots: { root: string; account: string }[] = [];
  if (t.isOrganizationTrail) {
    for (const org of (await listFolders(root, t.ownerAccountId, t.homeRegion)).filter((d) =>
      ORG_DIR.test(d),
    ))
      for (const dir of await listFolders(org, t.ownerAccountId, t.homeRegion)) {
        const m = ACCOUNT_DIR.exec(dir);
        if (m) accountRoots.push({ root: org, account: m[1] });
      }
  }
  if (!accountRoots.length) accountRoots.push({ root, account: t.ownerAccountId });
  const scopes: FolderScope[] = [];
  for (const a of accountRoots) {
    const regions = new Set(t.isMultiRegion ? t.regions : [t.homeRegion]);
    regions.add(t.homeRegion);
    if (t.isMultiRegion)
      for (const dir of await listFolders(
        `${a.root}${a.account}/CloudTrail-Digest/`,
        a.account,
        t.homeRegion,
      ))
        regions.add(dir.slice(0, -1).split("/").pop()!);
    for (const region of [...regions].sort())
      scopes.push({
        bucket: t.bucket,
        root: a.root,
        account: a.account,
        region,
        trailName: t.name,
        homeRegion: t.homeRegion,
      });
  }
  const results = await mapLimit(scopes, opts.concurrency ?? 4, (scope) =>
    verifyFolder(scope, {
      start: opts.start,
      end: opts.end,
      now: opts.now ?? new Date(),
      graceMs: opts.graceMs,
      reader: t.reader,
      keys: opts.keys,
    }),
  );
  for (const [i, r] of results.entries()) {
    const scope = scopes[i];
    // A region of a multi-region trail with nothing at all (no digest, no log file) is not a finding.
    const empty = !r.digests.length && !r.logFiles.length && !r.unverifiedLogFiles.length;
    if (!empty || r.errors.length) report.folders.push({ account: scope.account, region: scope.region });
    report.digests.push(...r.digests);
    report.logFiles.push(...r.logFiles);
    report.gaps.push(...r.gaps);
    report.errors.push(...r.errors);
    report.unverifiedLogFiles.push(...r.unverifiedLogFiles);
  }
  // A trail that is logging with validation on writes a digest every hour, even an empty one.
  if (
    t.isLogging &&
    !report.digests.length &&
    !report.errors.length &&
    opts.end.getTime() - opts.start.getTime() > 2 * 3_600_000
  )
    report.errors.push({
      operation: "ListObjectsV2",
      code: "NoDigestFiles",
      message: `trail ${t.name} is logging but no digest file was found in the window`,
      account: t.ownerAccountId,
      region: t.homeRegion,
      bucket: t.bucket,
      key: `${root}${t.ownerAccountId}/CloudTrail-Digest/${t.homeRegion}/`,
    });
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  report.digests.sort(byKey);
  report.logFiles.sort(byKey);
  report.unverifiedLogFiles.sort(byKey);
  report.gaps.sort(
    (a, b) =>
      a.from.localeCompare(b.from) || a.account.localeCompare(b.account) || a.region.localeCompare(b.region),
  );
  return report;
}

export function emptyVerifyReport(start: Date, end: Date): VerifyReport {
  return {
    schemaVersion: 1,
    tool: { name: "trailwarden", version },
    generatedAt: new Date().toISOString(),
    window: { start: start.toISOString(), end: end.toISOString() },
    trails: [],
    errors: [],
    summary: {
      trails: 0,
      digests: { valid: 0, invalid: 0, missing: 0 },
      logFiles: { valid: 0, modified: 0, missing: 0, unlisted: 0 },
      gaps: 0,
      errors: 0,
      unverifiedLogFiles: 0,
    },
  };
}

/** Fill the report's summary from its trails and errors. */
export function summarize(report: VerifyReport): VerifyReport {
  const s = emptyVerifyReport(new Date(report.window.start), new Date(report.window.end)).summary;
  s.trails = report.trails.length;
  s.errors = report.errors.length;
  for (const t of report.trails) {
    for (const d of t.digests) s.digests[d.status]++;
    for (const f of t.logFiles) s.logFiles[f.status]++;
    s.gaps += t.gaps.length;
    s.errors += t.errors.length;
    s.unverifiedLogFiles += t.unverifiedLogFiles.length;
  }
  report.summary = s;
  return report;
}

/** 1 when anything is invalid, modified, missing or unlisted; else 3 when something is undetermined; else 0. */
export function verifyExitCode(report: VerifyReport): 0 | 1 | 3 {
  const s = report.summary;
  if (
    s.digests.invalid + s.digests.missing + s.logFiles.modified + s.logFiles.missing + s.logFiles.unlisted >
    0
  )
    return 1;
  return s.errors > 0 ? 3 : 0;
}
