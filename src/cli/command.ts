// The shape every subcommand shares, and the exit codes that are part of the contract.
import { type ParseArgsConfig, parseArgs } from "node:util";

export const EXIT = {
  OK: 0,
  /** audit: some finding FAILs; rules: some rule is invalid or a test fails. */
  FAIL: 1,
  /** Bad config or bad usage. */
  USAGE: 2,
  /** audit: some finding is ERROR (unknown) and none FAILs. */
  ERROR: 3,
} as const;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** The command line itself is wrong: the message is followed by the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The command line is fine but the command cannot start (a missing inventory file, a held state
 * lock, an unset webhook header variable): exit 2 with the message alone, since usage would not help.
 */
export class CommandError extends Error {
  override name = "CommandError";
}

/** The file `--output` names: absent or "-" mean stdout (undefined). */
export function outputFile(value: string | undefined): string | undefined {
  return value === "-" ? undefined : value;
}

/** Parse a subcommand's flags; a positional argument is a usage error. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return values;
}

/** The --config FILE a subcommand cannot run without. */
export function requireConfig(file: string | undefined): string {
  if (!file) throw new UsageError("--config FILE is required");
  return file;
}

/** An ISO 8601 time, or a duration (30m, 12h, 7d, 2w) back from now. */
export function parseTime(flag: string, value: string, now: Date): Date {
  const m = /^(\d+)([smhdw])$/.exec(value.trim());
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as "s" | "m" | "h" | "d" | "w"];
    return new Date(now.getTime() - Number(m[1]) * unit * 1000);
  }
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t))
    throw new UsageError(`${flag} ${value}: expected an ISO 8601 time or a duration (30m, 12h, 7d, 2w)`);
  return new Date(t);
}
