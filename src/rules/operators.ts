// The entry forms that do not compare text: exists, numeric comparison, cidr, and fieldref.

import { type CompiledEntry, combine, EntryError } from "./combine.ts";
import { anyAtPath, existsAtPath, splitPath } from "./fields.ts";
import { inCidr, parseCidr, parseIp } from "./ip.ts";
import { toLowerCached } from "./patterns.ts";

export function compileExists(
  mods: string[],
  values: unknown[],
  path: string[],
  keyword: boolean,
): CompiledEntry {
  if (keyword) throw new EntryError('"exists" needs a field');
  if (mods.length !== 1) throw new EntryError('"exists" cannot be combined with other modifiers');
  if (values.length !== 1 || typeof values[0] !== "boolean") {
    throw new EntryError('"exists" takes true or false', "value");
  }
  const want = values[0];
  return { test: (r) => existsAtPath(r, path) === want };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function compileNumeric(
  op: string,
  mods: string[],
  values: unknown[],
  path: string[],
  keyword: boolean,
): CompiledEntry {
  if (keyword) throw new EntryError(`"${op}" needs a field`);
  const other = mods.find((m) => m !== op && m !== "all");
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "${op}"`);
  const limits = values.map((v, i) => {
    const n = toNumber(v);
    if (n === undefined) throw new EntryError(`"${op}" takes a number`, values.length > 1 ? i : "value");
    return n;
  });
  const cmp =
    op === "lt"
      ? (a: number, b: number) => a < b
      : op === "lte"
        ? (a: number, b: number) => a <= b
        : op === "gt"
          ? (a: number, b: number) => a > b
          : (a: number, b: number) => a >= b;
  const groups = limits.map((lim) => (v: unknown) => {
    const n = toNumber(v);
    return n !== undefined && cmp(n, lim);
  });
  return combine(groups, path, false, new Set(mods));
}

export function compileCidr(
  mods: string[],
  values: unknown[],
  path: string[],
  keyword: boolean,
): CompiledEntry {
  if (keyword) throw new EntryError('"cidr" needs a field');
  const other = mods.find((m) => m !== "cidr" && m !== "all" && m !== "neq");
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "cidr"`);
  const groups = values.map((v, i) => {
    const net = typeof v === "string" ? parseCidr(v) : undefined;
    if (!net) throw new EntryError(`invalid CIDR "${String(v)}"`, values.length > 1 ? i : "value");
    return (x: unknown) => {
      if (typeof x !== "string") return false;
      const ip = parseIpCached(x);
      return ip !== undefined && inCidr(ip, net);
    };
  });
  return combine(groups, path, false, new Set(mods));
}

// Every cidr rule (and every network in its list) reads the same sourceIPAddress of a record: parse it once.
let lastIpIn: string | undefined;
let lastIpOut: Uint16Array | undefined;

function parseIpCached(s: string): Uint16Array | undefined {
  if (s !== lastIpIn) {
    lastIpIn = s;
    lastIpOut = parseIp(s);
  }
  return lastIpOut;
}

/** `field|fieldref: other`: the field's value equals (or contains, ...) the other field's value. */
export function fieldRefTest(
  v: unknown,
  i: number,
  isList: boolean,
  mods: string[],
  op: string | undefined,
): FieldRefTest {
  const allowed = new Set(["fieldref", "contains", "startswith", "endswith", "cased", "all", "neq"]);
  const other = mods.find((m) => !allowed.has(m));
  if (other) throw new EntryError(`modifier "${other}" cannot be combined with "fieldref"`);
  if (typeof v !== "string" || v === "")
    throw new EntryError('"fieldref" takes a field name', isList ? i : "value");
  const refPath = splitPath(v);
  const cased = mods.includes("cased");
  const fold = cased ? (s: string) => s : toLowerCached;
  const cmp =
    op === "contains"
      ? (a: string, b: string) => a.includes(b)
      : op === "startswith"
        ? (a: string, b: string) => a.startsWith(b)
        : op === "endswith"
          ? (a: string, b: string) => a.endsWith(b)
          : (a: string, b: string) => a === b;
  let current: Record<string, unknown> = {};
  let a = "";
  // Built once, not per value: compares the referenced field's values with `a`, the value under test.
  const matchesRef = (y: unknown) => {
    if (typeof y !== "string" && typeof y !== "number" && typeof y !== "boolean") return false;
    return cmp(a, fold(String(y)));
  };
  // The value test sees one value; the referenced field is read from the record bound just before.
  const test = (x: unknown) => {
    if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean") return false;
    a = fold(String(x));
    return anyAtPath(current, refPath, matchesRef);
  };
  return {
    test,
    bind: (r) => {
      current = r;
    },
  };
}

export interface FieldRefTest {
  test: (x: unknown) => boolean;
  bind(r: Record<string, unknown>): void;
}
