// Runs `trailwarden daemon` as a real child process against the test endpoint: writes its config,
// captures its JSON log lines, finds its status listener, and stops it with a signal. Every wait
// has a deadline so a broken daemon fails the test instead of hanging it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { AuditWorld } from "./audit-world.ts";
import { startEndpoint } from "./endpoint.ts";
import { waitUntil } from "./wait.ts";

const repo = new URL("../../", import.meta.url).pathname;

const STOP_LOGGING_RULE = `title: Trail logging stopped (daemon test)
id: 3f1c2a7e-6b8d-4e25-9c1a-0d9e8f7a6b5c
description: StopLogging on any trail.
level: high
tags: [cis.aws.4.5]
logsource: { product: aws, service: cloudtrail }
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: StopLogging
  condition: selection
`;

export interface DaemonSetup {
  dir: string;
  configFile: string;
  reports: string;
  state: string;
}

/** A temp folder with the rule, and a config auditing `accountId` with base credentials. */
export function daemonSetup(
  ep: AwsTestEndpoint,
  extra: string,
  opts: { schedule?: string } = {},
): DaemonSetup {
  const dir = mkdtempSync(join(tmpdir(), "tw-daemon-proc-"));
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "rules", "stop-logging.yml"), STOP_LOGGING_RULE);
  const schedule = opts.schedule ?? "*/2 * * * * *";
  const configFile = join(dir, "config.yaml");
  writeFileSync(
    configFile,
    `aws:
  region: us-east-1
  endpoint: ${ep.url}
  s3ForcePathStyle: true
  maxAttempts: 2
accounts:
  - id: "111111111111"
regions: [us-east-1]
rules: [rules]
state: { dir: state }
output: { dir: reports }
schedule:
  audit: "${schedule}"
  scan: "${schedule}"
  timezone: UTC
http: { address: "127.0.0.1:0" }
logLevel: debug
${extra}`,
  );
  return { dir, configFile, reports: join(dir, "reports"), state: join(dir, "state") };
}

export class DaemonProcess {
  readonly lines: Record<string, unknown>[] = [];
  stderr = "";
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  exitCode?: number | null;

  /** `fdLimit`: start it under `ulimit -n` (a daemon short of file descriptors). */
  constructor(args: string[], env: Record<string, string>, opts: { fdLimit?: number } = {}) {
    const argv = ["--import", "tsx", "src/cli/main.ts", "daemon", ...args];
    const [cmd, cmdArgs] = opts.fdLimit
      ? ["/bin/sh", ["-c", `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv]]
      : [process.execPath, argv];
    this.child = spawn(cmd, cmdArgs, {
      cwd: repo,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let partial = "";
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const p of parts) {
        try {
          this.lines.push(JSON.parse(p));
        } catch {
          this.lines.push({ msg: p, raw: true });
        }
      }
    });
    this.child.stdout!.resume();
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  async waitForLog(pred: (l: Record<string, unknown>) => boolean, what: string, timeoutMs = 30_000) {
    await waitUntil(() => this.lines.some(pred) || this.exitCode !== undefined, what, timeoutMs);
    const hit = this.lines.find(pred);
    if (!hit) throw new Error(`daemon exited (${this.exitCode}) before ${what}:\n${this.stderr}`);
    return hit;
  }

  /** Base URL of the status listener, once the daemon logged it. */
  async statusUrl(): Promise<string> {
    const line = await this.waitForLog((l) => l.msg === "status listener ready", "the status listener");
    return `http://${line.address as string}`;
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  async exit(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_r, reject) => {
      timer = setTimeout(
        () => reject(new Error(`daemon did not exit within ${timeoutMs} ms:\n${this.stderr}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Make sure the child is gone (test clean-up). */
  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

/**
 * The world a daemon test runs in: one account with a good trail, the log bucket, and the
 * environment (a user key of that account) the daemon's AWS clients take their credentials from.
 */
export async function startDaemonWorld(
  account: string,
  bucket: string,
): Promise<{ ep: AwsTestEndpoint; env: Record<string, string> }> {
  const ep = await startEndpoint();
  new AuditWorld(ep).account(account).goodTrail(account);
  ep.world.addBucket(bucket, account);
  const key = ep.world.addUserKey(account);
  const env = {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_REGION: "us-east-1",
  };
  return { ep, env };
}
