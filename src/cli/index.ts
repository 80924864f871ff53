// Dispatches `trailwarden <command> ...` to the command modules.
import { ConfigError } from "../config/load.ts";
import { StateLockedError } from "../state/store.ts";
import { StorageFault } from "../util/fs.ts";
import { type Command, CommandError, EXIT, UsageError } from "./command.ts";

const commands: Command[] = [];

export function registerCommands(...cmds: Command[]): void {
  commands.push(...cmds);
}

function help(): string {
  const lines = ["usage: trailwarden <command> [options]", "", "commands:"];
  for (const c of commands) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`);
  lines.push("", "Run `trailwarden <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${help()}\n`);
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === "--version" || name === "version") {
    const { version } = await import("../version.ts");
    process.stdout.write(`trailwarden ${version}\n`);
    return EXIT.OK;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`trailwarden: unknown command "${name}"\n\n${help()}\n`);
    return EXIT.USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${cmd.usage}\n`);
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trailwarden: invalid configuration:\n${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof CommandError) {
      process.stderr.write(`trailwarden ${name}: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`trailwarden ${name}: ${(err as Error).message}\n\n${cmd.usage}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof StorageFault) {
      process.stderr.write(
        `trailwarden ${name}: stopped: cannot write ${err.path}: ${err.reason} (${err.code}). Nothing was marked done that was not written; run again once the storage is fixed.\n`,
      );
      return EXIT.ERROR;
    }
    if (err instanceof StateLockedError) {
      // Another process holds state.dir: it cannot start as configured, like a CommandError.
      process.stderr.write(`trailwarden ${name}: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
}
