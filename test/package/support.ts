// Helpers for the packaging tests: a copy of the package's sources outside the checkout (so building
// and packing never touch the worktree the other tests run from), and child processes with their
// output kept for the assertion message.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What a build needs from the checkout: the package's own files, not tests, benches or state. */
const SOURCES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "config.example.yaml",
  "Dockerfile",
  "bin",
  "src",
  "schema",
  "rules",
  "demo",
  "docs",
  "examples",
];

/** A fresh folder holding a copy of the package sources, with the checkout's node_modules linked in. */
export function copyOfSources(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const p of SOURCES) cpSync(join(REPO, p), join(dir, p), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** For assertion messages. */
  all: string;
}

/**
 * Run a command; npm prefers its cache (the registry is the only network here, and the
 * dependencies are usually cached already).
 */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Ran {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
    env: {
      ...process.env,
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
  const all = `$ ${cmd} ${args.join(" ")} (in ${cwd})\nexit ${r.status}\n${r.stdout}\n${r.stderr}${r.error ? `\n${r.error}` : ""}`;
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", all };
}
