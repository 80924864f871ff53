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
