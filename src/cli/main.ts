#!/usr/bin/env node
// Entry point: registers the commands and maps the result to the process exit code.
import type { Command } from "./command.ts";
import { registerCommands, run } from "./index.ts";

/**
 * Each command's module, loaded only when it is the one run (or for the command list): a local
 * `scan --logs` or `rules` then never loads the AWS SDK, which costs a third of a second at start.
 */
const commands: Record<string, () => Promise<Command>> = {
  audit: async () => (await import("./audit.ts")).auditCommand,
  rules: async () => (await import("./rules.ts")).rulesCommand,
  scan: async () => (await import("./scan.ts")).scanCommand,
  verify: async () => (await import("./verify.ts")).verifyCommand,
  report: async () => (await import("./report.ts")).reportCommand,
  daemon: async () => (await import("./daemon.ts")).daemonCommand,
  demo: async () => (await import("./demo.ts")).demoCommand,
};

// The SDK warns on every run that future releases need Node 22; that is noise for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const name = process.argv[2];
const wanted = Object.hasOwn(commands, name ?? "") ? [commands[name]] : Object.values(commands);
registerCommands(...(await Promise.all(wanted.map((load) => load()))));

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`trailwarden: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 3;
  },
);
