// Reads config YAML, validates it against schema/config.schema.json and fills in defaults.
// Every problem is reported as file:line:column before any AWS call is made.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { configValueProblems } from "./checks.ts";
import { ruleSettings } from "./rule-settings.ts";
import { validatorFor } from "./schema.ts";
import { isSqsSource, parseSqsSource, sqsEndpoint } from "./sqs-url.ts";
import type { Config, HttpConfig } from "./types.ts";
import {
  ajvProblems,
  formatProblem,
  locate,
  type ParsedYaml,
  parseYaml,
  type SourceProblem,
} from "./yaml.ts";

export class ConfigError extends Error {
  constructor(readonly problems: SourceProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

export function loadConfigFile(file: string): Config {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, line: 1, column: 1, message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, dirname(abs), { checkPaths: true });
}

/**
 * Parse and validate config text; relative paths resolve against baseDir. With `checkPaths`, the
 * paths it names on this machine (rules) must exist too.
 */
export function parseConfig(
  text: string,
  file: string,
  baseDir: string,
  opts: { checkPaths?: boolean } = {},
): Config {
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  const raw = (parsed.value ?? {}) as Record<string, unknown>;
  const validate = validatorFor("config");
  // One pass: schema problems and value problems (cron, time zone, address, sources, rule paths)
  // are reported together, each at its file:line:column.
  const problems = validate(raw) ? [] : ajvProblems(parsed, validate.errors);
  for (const p of configValueProblems(raw, baseDir, opts.checkPaths ?? false))
    problems.push({ file, ...locate(parsed, p.path, p.preferKey), message: p.message });
  problems.push(...sqsSourceProblems(parsed, raw as RawConfig, file));
  if (problems.length) throw new ConfigError(sortProblems(problems));
  const config = withDefaults(raw as RawConfig, baseDir);
  config.file = resolve(file);
  config.ruleSelection.file = config.file;
  return config;
}

function sortProblems(problems: SourceProblem[]): SourceProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * A problem at a YAML path of a loaded config (say, "no rule loaded" at the `rules` key), located in
 * its file; 1:1 when the config has no file.
 */
export function configProblemAt(
  config: Pick<Config, "file">,
  path: (string | number)[],
  message: string,
  preferKey = false,
): SourceProblem {
  if (!config.file) return { file: "<defaults>", line: 1, column: 1, message };
  try {
    const parsed = parseYaml(readFileSync(config.file, "utf8"), config.file);
    return { file: config.file, ...locate(parsed, path, preferKey), message };
  } catch {
    return { file: config.file, line: 1, column: 1, message };
  }
}

// The validated shape of the YAML; every field optional until defaults are applied.
type RawConfig = {
  [K in keyof Omit<Config, "rules" | "ruleSelection">]?: Config[K] extends object
    ? DeepPartial<Config[K]>
    : Config[K];
} & {
  /** A list of paths, or the map {paths, includeStatuses, select, exclude} (rule-settings.ts). */
  rules?: unknown;
  http?: Partial<Omit<HttpConfig, "host" | "port">> & { address?: string };
  placeholders?: Record<string, string | string[]>;
};
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function withDefaults(raw: RawConfig, baseDir: string): Config {
  const [host, port] = splitAddress(raw.http?.address ?? "127.0.0.1:9464");
  const placeholders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw.placeholders ?? {}))
    placeholders[k] = (Array.isArray(v) ? v : [v]) as string[];
  const webhook = raw.notify?.webhook;
  const rules = ruleSettings(raw.rules, baseDir);
  return {
    aws: {
      region: raw.aws?.region ?? "us-east-1",
      endpoint: raw.aws?.endpoint,
      s3ForcePathStyle: raw.aws?.s3ForcePathStyle ?? false,
      maxAttempts: raw.aws?.maxAttempts ?? 6,
      concurrencyPerRegion: raw.aws?.concurrencyPerRegion ?? 8,
      accountConcurrency: raw.aws?.accountConcurrency ?? 20,
      maxSockets: raw.aws?.maxSockets,
      externalId: raw.aws?.externalId,
      sessionName: raw.aws?.sessionName ?? "trailwarden",
    },
    accounts: (raw.accounts ?? []).map((a) => ({ id: a!.id!, roleArn: a!.roleArn, name: a!.name })),
    organization: raw.organization
      ? {
          roleName: raw.organization.roleName!,
          excludeAccounts: (raw.organization.excludeAccounts ?? []) as string[],
        }
      : undefined,
    regions: (raw.regions as Config["regions"]) ?? "enabled",
    policy: {
      requireKms: raw.policy?.requireKms ?? false,
      requireSns: raw.policy?.requireSns ?? true,
      requireLogFileValidation: raw.policy?.requireLogFileValidation ?? true,
      trailAdmins: [...((raw.policy?.trailAdmins ?? []) as string[])],
      requireCloudWatchLogs: raw.policy?.requireCloudWatchLogs ?? false,
      requireS3DataEvents: raw.policy?.requireS3DataEvents ?? false,
    },
    waivers: ((raw.waivers ?? []) as Config["waivers"]).map((w) => ({ ...w })),
    rules: rules.paths,
    ruleSelection: rules.selection,
    placeholders,
    logs: {
      sources: ((raw.logs?.sources ?? []) as string[]).map((s) => resolveFileUrl(s, baseDir)),
      lookbackHours: raw.logs?.lookbackHours ?? 24,
      concurrency: raw.logs?.concurrency ?? 8,
      workers: raw.logs?.workers ?? availableParallelism(),
      maxFileBytes: raw.logs?.maxFileBytes ?? 1024 ** 3,
      fileTimeoutSeconds: raw.logs?.fileTimeoutSeconds ?? 300,
      accounts: raw.logs?.accounts as string[] | undefined,
      regions: raw.logs?.regions as string[] | undefined,
      includeDigest: raw.logs?.includeDigest ?? false,
      includeInsight: raw.logs?.includeInsight ?? false,
      verifyIntegrity:
        raw.logs?.verifyIntegrity ??
        ((raw.logs?.sources ?? []) as string[]).some((s) => s.startsWith("s3://")),
      integrityGraceMinutes: raw.logs?.integrityGraceMinutes ?? 120,
      sqs: {
        waitTimeSeconds: raw.logs?.sqs?.waitTimeSeconds ?? 20,
        visibilityTimeoutSeconds: raw.logs?.sqs?.visibilityTimeoutSeconds ?? 120,
        maxReceiveCount: raw.logs?.sqs?.maxReceiveCount ?? 5,
      },
      quarantine: {
        retryMinutes: raw.logs?.quarantine?.retryMinutes ?? 15,
        giveUpHours: raw.logs?.quarantine?.giveUpHours ?? 72,
      },
      correlation: {
        latenessMinutes: raw.logs?.correlation?.latenessMinutes ?? 15,
        maxGroups: raw.logs?.correlation?.maxGroups ?? 100_000,
        maxEventIds: raw.logs?.correlation?.maxEventIds ?? 20,
      },
    },
    state: {
      dir: resolve(baseDir, raw.state?.dir ?? ".trailwarden/state"),
      emittedRetentionDays: raw.state?.emittedRetentionDays ?? 30,
    },
    output: {
      dir: resolve(baseDir, raw.output?.dir ?? "reports"),
      // 0 keeps everything
      retentionDays: raw.output?.retentionDays === 0 ? undefined : (raw.output?.retentionDays ?? 90),
      rotateBytes: raw.output?.rotateBytes ?? 100 * 1024 * 1024,
      rotateDaily: raw.output?.rotateDaily ?? true,
      html: raw.output?.html ?? false,
      includeEvent: raw.output?.includeEvent ?? false,
    },
    schedule: {
      audit: raw.schedule?.audit ?? "0 * * * *",
      scan: raw.schedule?.scan ?? "*/5 * * * *",
      timezone: raw.schedule?.timezone ?? "UTC",
      runOnStart: raw.schedule?.runOnStart ?? true,
    },
    http: {
      enabled: raw.http?.enabled ?? true,
      host,
      port,
      maxConnections: raw.http?.maxConnections ?? 64,
      headersTimeoutSeconds: raw.http?.headersTimeoutSeconds ?? 10,
      requestTimeoutSeconds: raw.http?.requestTimeoutSeconds ?? 30,
      keepAliveTimeoutSeconds: raw.http?.keepAliveTimeoutSeconds ?? 5,
    },
    notify: {
      minLevel: raw.notify?.minLevel ?? "low",
      webhook: webhook
        ? {
            url: webhook.url!,
            headersFromEnv: (webhook.headersFromEnv ?? {}) as Record<string, string>,
            timeoutSeconds: webhook.timeoutSeconds ?? 10,
            format: webhook.format ?? "json",
            batchSize: webhook.batchSize ?? 1,
            batchDelaySeconds: webhook.batchDelaySeconds ?? 0,
          }
        : undefined,
      sns: raw.notify?.sns ? { topicArn: raw.notify.sns.topicArn! } : undefined,
    },
    logLevel: raw.logLevel ?? "info",
    shutdownGraceSeconds: raw.shutdownGraceSeconds ?? 25,
  };
}

/** The defaults alone, for commands run without --config. */
export function defaultConfig(baseDir = process.cwd()): Config {
  return withDefaults({}, baseDir);
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  if (i < 0) return [address, 9464];
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), Number(address.slice(i + 1))];
}

/** Every logs.sources entry that names no SQS queue in a form trailwarden can address. */
function sqsSourceProblems(parsed: ParsedYaml, raw: RawConfig, file: string): SourceProblem[] {
  const problems: SourceProblem[] = [];
  (raw.logs?.sources ?? []).forEach((source, i) => {
    if (typeof source !== "string" || !isSqsSource(source)) return;
    const queue = parseSqsSource(source, sqsEndpoint(raw.aws?.endpoint));
    if (typeof queue === "string")
      problems.push({
        file,
        ...locate(parsed, ["logs", "sources", i]),
        message: `logs.sources.${i}: ${queue}`,
      });
  });
  return problems;
}

/** file:// URLs with relative paths resolve against the config's folder; a bare queue ARN becomes sqs://. */
function resolveFileUrl(source: string, baseDir: string): string {
  if (source.startsWith("arn:")) return `sqs://${source}`;
  if (!source.startsWith("file://")) return source;
  const p = source.slice("file://".length);
  return `file://${resolve(baseDir, p)}`;
}
