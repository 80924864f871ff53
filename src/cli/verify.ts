// `trailwarden verify`: prove the CloudTrail logs of a window unaltered, like `aws cloudtrail
// validate-logs` but over every trail with validation on, and also catching what it cannot: log
// files no digest lists, a deleted newest digest, a wrong previousDigestHashValue.

import { collectInventory } from "../audit/collect.ts";
import type { Inventory, TrailRecord } from "../audit/inventory.ts";
import { AwsClients } from "../aws/clients.ts";
import { loadConfigFile } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { awsPublicKeys, s3IntegrityReader } from "../integrity/aws.ts";
import { PublicKeyCache } from "../integrity/keys.ts";
import {
  emptyVerifyReport,
  summarize,
  type TrailTarget,
  type VerifyReport,
  verifyExitCode,
  verifyTrail,
} from "../integrity/verify-trails.ts";
import { writeJsonAtomic } from "../util/fs.ts";
import { createLogger, type Logger } from "../util/logger.ts";
import { type Command, EXIT, parseFlags, parseTime, requireConfig, UsageError } from "./command.ts";

const USAGE = `usage: trailwarden verify --config FILE [--trail ARN]... [--start TIME] [--end TIME] [--output FILE]

  Verifies CloudTrail log file integrity: every digest file's signature (CloudTrail's public keys),
  the chain from digest to digest, and every log file's SHA-256 against the digest that lists it.
  Also reports log files no digest lists, a deleted newest digest and gaps in the chain.

  --trail ARN    a trail to verify (repeatable); default: every trail the audit sees with log
                 file validation on
  --start TIME   window start: ISO 8601 time or a duration back from now (30m, 12h, 7d, 2w);
                 default 24h
  --end TIME     window end (same forms); default now
  --output FILE  write the JSON report here (default: stdout)

  exit status: 0 everything valid; 1 some digest invalid or missing, or some log file modified,
               missing or unlisted; 3 something could not be determined (and nothing is invalid);
               2 bad config or usage`;

/** The clients of an audited account: its role, or the base credentials. */
function accountClients(config: Config, base: AwsClients, accountId: string, partition: string): AwsClients {
  const configured = config.accounts.find((a) => a.id === accountId);
  if (configured?.roleArn) return base.assumeRole(configured.roleArn);
  if (config.organization && !configured)
    return base.assumeRole(`arn:${partition}:iam::${accountId}:role/${config.organization.roleName}`);
  return base;
}

/** Each trail once, read through its owner's account when the owner was audited. */
export function trailsToVerify(
  inventory: Inventory,
  wanted: string[] | undefined,
): { trails: { trail: TrailRecord; accountId: string; regions: string[] }[]; unknown: string[] } {
  const byArn = new Map<string, { trail: TrailRecord; accountId: string; regions: string[] }>();
  for (const account of inventory.accounts)
    for (const trail of account.trails) {
      const seen = byArn.get(trail.arn);
      const owner = trail.ownerAccountId === account.id;
      if (!seen || (owner && seen.accountId !== trail.ownerAccountId))
        byArn.set(trail.arn, {
          trail: { ...seen?.trail, ...trail, status: trail.status ?? seen?.trail.status },
          accountId: account.id,
          regions: account.regions,
        });
    }
  if (wanted?.length)
    return {
      trails: wanted.filter((a) => byArn.has(a)).map((a) => byArn.get(a)!),
      unknown: wanted.filter((a) => !byArn.has(a)),
    };
  return {
    trails: [...byArn.values()]
      .filter((t) => t.trail.logFileValidationEnabled)
      .sort((a, b) => a.trail.arn.localeCompare(b.trail.arn)),
    unknown: [],
  };
}

export interface RunVerifyOptions {
  config: Config;
  trails?: string[];
  start: Date;
  end: Date;
  now?: Date;
  clients?: AwsClients;
  signal?: AbortSignal;
  logger?: Logger;
}

export async function runVerify(opts: RunVerifyOptions): Promise<VerifyReport> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel, base: { command: "verify" } });
  const base = opts.clients ?? new AwsClients(config.aws);
  const report = emptyVerifyReport(opts.start, opts.end);
  const owned: AwsClients[] = [];
  try {
    const inventory = await collectInventory({ config, clients: base, logger, signal: opts.signal });
    for (const a of inventory.accounts) {
      if (a.error) report.errors.push({ message: a.error.message, code: a.error.code, account: a.id });
      for (const v of a.regionViews)
        if (v.error)
          report.errors.push({
            message: v.error.message,
            code: v.error.code,
            account: a.id,
            region: v.region,
          });
    }
    for (const e of inventory.errors) report.errors.push({ message: e.message, code: e.code });
    const { trails, unknown } = trailsToVerify(inventory, opts.trails);
    for (const arn of unknown)
      report.errors.push({
        message: "trail not found by DescribeTrails in the audited accounts and regions",
        trail: arn,
      });
    const keys = new PublicKeyCache(awsPublicKeys(base, opts.signal));
    for (const { trail, accountId, regions } of trails) {
      if (!trail.s3BucketName) {
        report.errors.push({ message: "trail has no S3 bucket", trail: trail.arn });
        continue;
      }
      const clients = accountClients(config, base, accountId, trail.arn.split(":")[1] || "aws");
      if (clients !== base) owned.push(clients);
      const target: TrailTarget = {
        arn: trail.arn,
        name: trail.name,
        homeRegion: trail.homeRegion,
        ownerAccountId: trail.ownerAccountId,
        isMultiRegion: trail.isMultiRegion,
        isOrganizationTrail: trail.isOrganizationTrail,
        bucket: trail.s3BucketName,
        prefix: trail.s3KeyPrefix,
        regions,
        reader: s3IntegrityReader(clients, trail.homeRegion, opts.signal),
        isLogging: trail.status?.isLogging,
      };
      const r = await verifyTrail(target, {
        start: opts.start,
        end: opts.end,
        now: opts.now,
        graceMs: config.logs.integrityGraceMinutes * 60_000,
        keys,
      });
      logger.info("trail verified", {
        trail: trail.arn,
        digests: r.digests.length,
        logFiles: r.logFiles.length,
        gaps: r.gaps.length,
        errors: r.errors.length,
      });
      report.trails.push(r);
    }
  } finally {
    for (const c of owned) c.destroy();
    if (!opts.clients) base.destroy();
  }
  return summarize(report);
}

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify CloudTrail log file integrity (digests, chain, hashes)",
  usage: USAGE,
  async run(argv) {
    const values = parseFlags(argv, {
      config: { type: "string" },
      trail: { type: "string", multiple: true },
      start: { type: "string" },
      end: { type: "string" },
      output: { type: "string" },
    });
    const config = loadConfigFile(requireConfig(values.config));
    const now = new Date();
    const end = values.end ? parseTime("--end", values.end, now) : now;
    const start = values.start
      ? parseTime("--start", values.start, now)
      : new Date(end.getTime() - 24 * 3_600_000);
    if (start.getTime() >= end.getTime()) throw new UsageError("--start must be before --end");
    for (const arn of values.trail ?? [])
      if (!/^arn:[^:]+:cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/.test(arn))
        throw new UsageError(
          `--trail ${arn}: expected a trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME)`,
        );
    const controller = new AbortController();
    const abort = () => controller.abort(new Error("interrupted"));
    process.once("SIGINT", abort);
    process.once("SIGTERM", abort);
    let report: VerifyReport;
    try {
      report = await runVerify({ config, trails: values.trail, start, end, now, signal: controller.signal });
    } finally {
      process.off("SIGINT", abort);
      process.off("SIGTERM", abort);
    }
    if (values.output) writeJsonAtomic(values.output, report);
    else process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const s = report.summary;
    process.stderr.write(
      `verify: ${s.trails} trail(s); digests ${s.digests.valid} valid, ${s.digests.invalid} invalid, ${s.digests.missing} missing; ` +
        `log files ${s.logFiles.valid} valid, ${s.logFiles.modified} modified, ${s.logFiles.missing} missing, ${s.logFiles.unlisted} unlisted; ` +
        `${s.gaps} gap(s); ${s.errors} undetermined${values.output ? `; report written to ${values.output}` : ""}\n`,
    );
    const code = verifyExitCode(report);
    return code === 0 ? EXIT.OK : code === 1 ? EXIT.FAIL : EXIT.ERROR;
  },
};
