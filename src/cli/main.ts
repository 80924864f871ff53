#!/usr/bin/env node
// Entry point: registers the commands and maps the result to the process exit code.
import { auditCommand } from "./audit.ts";
import { daemonCommand } from "./daemon.ts";
import { demoCommand } from "./demo.ts";
import { registerCommands, run } from "./index.ts";
import { reportCommand } from "./report.ts";
import { rulesCommand } from "./rules.ts";
import { scanCommand } from "./scan.ts";
import { verifyCommand } from "./verify.ts";

// The SDK warns on every run that future releases need Node 22; that is noise for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

registerCommands(
  auditCommand,
  rulesCommand,
  scanCommand,
  verifyCommand,
  reportCommand,
  daemonCommand,
  demoCommand,
);

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`trailwarden: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 3;
  },
);
