// The shape every subcommand shares, and the exit codes that are part of the contract.
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

export class UsageError extends Error {
  override name = "UsageError";
}
