// Structured JSON lines on stderr. Fields whose names look secret are redacted, URLs anywhere in a
// line are cut to origin plus path (no user:password, no query, no fragment), and values registered
// as secrets (webhook header values) are masked wherever they appear, so credentials never reach the
// log even if a caller passes them by mistake or an error message quotes them.
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY =
  /secret|password|token|authorization|credential|session|accesskey|apikey|signature|header/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const base = opts.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const entry = {
      time: new Date().toISOString(),
      level,
      msg: scrub(msg),
      ...base,
      ...redact(fields ?? {}),
    };
    write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...opts, base: { ...base, ...redact(fields) } }),
  };
}

/** A logger that drops everything (library use, tests). */
export const silentLogger: Logger = createLogger({ write: () => {} });

export function redact(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k)) out[k] = "[redacted]";
    else out[k] = redactValue(v, depth);
  }
  return out;
}

function redactValue(v: unknown, depth: number): unknown {
  if (typeof v === "string") return scrub(v);
  if (v instanceof Error) return { name: v.name, message: scrub(v.message) };
  if (depth >= 4 || !v || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  return redact(v as Record<string, unknown>, depth + 1);
}

const secrets = new Set<string>();

/**
 * A value that must never appear in a log line (a webhook header's value, read from the
 * environment). Short values are not registered: masking "1" everywhere would garble the log.
 */
export function registerSecret(value: string): void {
  if (value.length >= 6) secrets.add(value);
  // The lines of a multi-line value could be quoted one by one.
  for (const part of value.split(/[\r\n]+/)) if (part !== value && part.length >= 6) secrets.add(part);
}

// scheme://anything up to whitespace or a quote; a nested URL (sqs://https://...) is one match.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*/gi;
const USERINFO = /(:\/\/)[^/?#@\s]*@/g;

/** A URL as origin plus path: user:password, query and fragment removed. */
export function safeUrl(url: string): string {
  return url.replace(USERINFO, "$1").replace(/[?#].*$/s, "");
}

/** Text with every URL cut to origin plus path and every registered secret masked. */
export function scrub(text: string): string {
  let out = text.includes("://") ? text.replace(URL_IN_TEXT, safeUrl) : text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
  return out;
}
