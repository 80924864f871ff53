// Fault injection for the test endpoint: throttling, 5xx, denials and latency, by service,
// operation, account and region, with a seeded random source so a run can be repeated.
import type { Protocol } from "./protocol.ts";
import { AwsError } from "./world.ts";

export interface FaultRule {
  service?: string;
  operation?: string;
  accountId?: string;
  region?: string;
  /** throttle: the protocol's throttling error; server-error: 500; error: `code`/`status` as given. */
  kind: "throttle" | "server-error" | "deny" | "error" | "latency";
  code?: string;
  message?: string;
  status?: number;
  /** Added delay for kind "latency". */
  ms?: number;
  /** Probability per matching call (default 1). */
  rate?: number;
  /** How many more times the rule fires (default: unlimited). */
  times?: number;
  /** Let this many matching calls through before the rule starts firing (default 0). */
  skip?: number;
}

export interface FaultTarget {
  service: string;
  operation: string;
  accountId: string;
  region: string;
  protocol: Protocol;
}

export class Faults {
  rules: FaultRule[] = [];
  /** Added to every call, in milliseconds. */
  latencyMs = 0;
  private state: number;

  constructor(seed = 42) {
    this.state = seed >>> 0;
  }

  add(rule: FaultRule): FaultRule {
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  /** mulberry32: small, fast, deterministic for a given seed and call order. */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Extra latency for this call. */
  delayFor(target: FaultTarget): number {
    let ms = this.latencyMs;
    for (const r of this.rules) if (r.kind === "latency" && this.fires(r, target)) ms += r.ms ?? 0;
    return ms;
  }

  /** The error this call must fail with, if any rule fires. */
  errorFor(target: FaultTarget): AwsError | undefined {
    for (const r of this.rules) {
      if (r.kind === "latency" || !this.fires(r, target)) continue;
      return toError(r, target.protocol);
    }
    return undefined;
  }

  private fires(r: FaultRule, t: FaultTarget): boolean {
    if (r.service && r.service !== t.service) return false;
    if (r.operation && r.operation !== t.operation) return false;
    if (r.accountId && r.accountId !== t.accountId) return false;
    if (r.region && r.region !== t.region) return false;
    if (r.times !== undefined && r.times <= 0) return false;
    if (r.skip !== undefined && r.skip > 0) {
      r.skip--;
      return false;
    }
    if (r.rate !== undefined && this.random() >= r.rate) return false;
    if (r.times !== undefined) r.times--;
    return true;
  }
}

function toError(r: FaultRule, protocol: Protocol): AwsError {
  switch (r.kind) {
    case "throttle":
      if (protocol === "rest-xml") return new AwsError("SlowDown", "Please reduce your request rate.", 503);
      if (protocol === "query") return new AwsError("Throttling", "Rate exceeded", 400);
      return new AwsError("ThrottlingException", "Rate exceeded", 400);
    case "server-error":
      return new AwsError(
        protocol === "rest-xml" ? "InternalError" : "InternalFailure",
        "Internal error",
        500,
      );
    case "deny":
      return new AwsError(
        r.code ?? "AccessDeniedException",
        r.message ??
          "User is not authorized to perform this operation with an explicit deny in a service control policy",
        r.status ?? (protocol === "json" ? 400 : 403),
      );
    default:
      return new AwsError(r.code ?? "InternalFailure", r.message ?? "injected error", r.status ?? 400);
  }
}
