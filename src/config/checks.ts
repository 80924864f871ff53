// Checks of config values that the JSON Schema cannot express: cron syntax, time zone, the listen
// address, log source URLs (S3 bucket naming rules), and rule paths that must exist. They run on the
// raw YAML value in the same pass as the schema, so one run reports every problem at once; each
// check looks only at values of the type it expects (a wrong type is the schema's report).
import { statSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import cron from "node-cron";
import { rulePathsAt, ruleSelectionProblems } from "./rule-settings.ts";

/** A problem at a YAML path, located by the caller. */
export interface PathProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than the value. */
  preferKey?: boolean;
}

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;

export function cronProblems(expression: string): string[] {
  const v = cron.validateDetailed(expression);
  if (v.valid) return [];
  return v.errors.length
    ? v.errors.map((e) => `${e.field}: ${e.message}`)
    : [`"${expression}" is not a cron expression`];
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `host:port` (or `[v6]:port`) is not a listen address, or undefined when it is one. */
export function addressProblem(address: string): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(address);
  if (!m) return "expected host:port (IPv6 in brackets: [::1]:9464)";
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) return `port ${m[3]} is not in 0..65535`;
  const host = m[1] ?? m[2];
  if (m[1] !== undefined) return isIP(host) === 6 ? undefined : `"${host}" is not an IPv6 address`;
  if (!host) return "the host is empty (use 0.0.0.0 to listen on every interface)";
  if (isIP(host)) return undefined;
  if (/^[\d.]+$/.test(host)) return `"${host}" is not an IPv4 address`;
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  if (host.length > 253 || !host.split(".").every((l) => label.test(l)))
    return `"${host}" is not a host name`;
  return undefined;
}

/**
 * Why `name` breaks the S3 general purpose bucket naming rules, or undefined. (3-63 characters,
 * lowercase letters, digits, dots and hyphens, a letter or digit at each end, no "..", not an IP
 * address, none of the reserved prefixes and suffixes.)
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may hold only lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
  if (name.includes("..")) return "must not hold two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not be formatted as an IP address";
  for (const p of ["xn--", "sthree-", "amzn-s3-demo-"])
    if (name.startsWith(p)) return `must not start with the reserved prefix "${p}"`;
  for (const s of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
    if (name.endsWith(s)) return `must not end with the reserved suffix "${s}"`;
  return undefined;
}

/** Why a log source URL is malformed, or undefined. sqs:// forms are checked by their own parser. */
export function sourceProblem(url: string): string | undefined {
  if (url.startsWith("s3://")) {
    const rest = url.slice("s3://".length);
    const bucket = rest.split("/")[0];
    if (/[?#]/.test(rest)) return "an s3:// source is s3://bucket[/prefix], without ? or #";
    const p = bucketNameProblem(bucket);
    return p ? `bucket name "${bucket}" ${p}` : undefined;
  }
  if (url.startsWith("file://")) {
    const path = url.slice("file://".length);
    if (path.includes("\0")) return "the path holds a NUL character";
    return undefined;
  }
  return undefined;
}

/** Every semantic problem in a raw config value (already parsed from YAML); `checkPaths`: rule paths must exist. */
export function configValueProblems(raw: unknown, baseDir: string, checkPaths: boolean): PathProblem[] {
  const out: PathProblem[] = [];
  const root = obj(raw);
  if (!root) return out;
  const schedule = obj(root.schedule);
  for (const job of ["audit", "scan"] as const) {
    const expr = schedule?.[job];
    if (typeof expr !== "string") continue;
    for (const p of cronProblems(expr))
      out.push({ path: ["schedule", job], message: `schedule.${job} "${expr}": ${p}` });
  }
  const tz = schedule?.timezone;
  if (typeof tz === "string" && !isTimeZone(tz))
    out.push({
      path: ["schedule", "timezone"],
      message: `schedule.timezone "${tz}" is not an IANA time zone`,
    });
  const address = obj(root.http)?.address;
  if (typeof address === "string") {
    const p = addressProblem(address);
    if (p) out.push({ path: ["http", "address"], message: `http.address "${address}": ${p}` });
  }
  const sources = obj(root.logs)?.sources;
  if (Array.isArray(sources))
    sources.forEach((s, i) => {
      const p = typeof s === "string" ? sourceProblem(s) : undefined;
      if (p) out.push({ path: ["logs", "sources", i], message: `logs.sources[${i}] "${s}": ${p}` });
    });
  out.push(...ruleSelectionProblems(root.rules));
  const rulePaths = rulePathsAt(root.rules);
  if (checkPaths && rulePaths)
    rulePaths.paths.forEach((r, i) => {
      if (typeof r !== "string" || !r) return;
      const abs = resolve(baseDir, r);
      try {
        statSync(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === "ENOENT"
            ? "does not exist"
            : code === "ELOOP"
              ? "is a symlink loop"
              : `cannot be read (${code})`;
        const name = rulePaths.at.join(".");
        out.push({ path: [...rulePaths.at, i], message: `${name}[${i}] "${r}" ${why} (resolved to ${abs})` });
      }
    });
  return out;
}
