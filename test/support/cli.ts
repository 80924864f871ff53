// The real CLI (src/cli/main.ts through tsx) in a child process, as a user runs it.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(REPO, "src/cli/main.ts");

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
  cwd: string;
}

/** `trailwarden ...args` in `cwd`; by default a fresh empty folder, so nothing is found relative to it. */
export function runCli(args: string[], cwd = mkdtempSync(join(tmpdir(), "tw-cli-"))): CliResult {
  const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}
