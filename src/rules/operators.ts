// Generation of the items that do not compare text: exists, numeric comparison, cidr, and fieldref.
// The modifier registry has already checked the chain and the values (validate pass).
import { type CompiledEntry, combine } from "./combine.ts";
import { anyAtPath, existsAtPath, splitPath, type ValueTest } from "./fields.ts";
import { inCidr, parseCidr } from "./ip.ts";
import type { DetectionItem } from "./model.ts";
import { toLowerCached } from "./patterns.ts";

export function generateExists(item: DetectionItem): CompiledEntry {
  const want = item.values[0].value === true;
  const path = item.path;
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

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
};

export function generateNumeric(op: string, item: DetectionItem): CompiledEntry {
  const cmp = COMPARE[op];
  const groups: ValueTest[] = item.values.map((v) => {
    const lim = toNumber(v.value) as number;
    return (x: unknown) => {
      const n = toNumber(x);
      return n !== undefined && cmp(n, lim);
    };
  });
  return combine(groups, item.path, false, item.linking, false);
}

export function generateCidr(item: DetectionItem, neq: boolean): CompiledEntry {
  const groups: ValueTest[] = item.values.map((v) => {
    const net = parseCidr(v.value as string)!;
    // The record's IP is parsed once per record, in the context, however many networks look at it.
    return (x, ctx) => {
      if (typeof x !== "string") return false;
      const ip = ctx.ipOf(x);
      return ip !== undefined && inCidr(ip, net);
    };
  });
  return combine(groups, item.path, false, item.linking, neq);
}

/** `field|fieldref: other`: the field's value equals (or contains, ...) the other field's value. */
export function generateFieldRef(
  item: DetectionItem,
  op: string | undefined,
  cased: boolean,
  neq: boolean,
): CompiledEntry {
  const fold = cased ? (s: string) => s : toLowerCached;
  const cmp =
    op === "contains"
      ? (a: string, b: string) => a.includes(b)
      : op === "startswith"
        ? (a: string, b: string) => a.startsWith(b)
        : op === "endswith"
          ? (a: string, b: string) => a.endsWith(b)
          : (a: string, b: string) => a === b;
  const groups: ValueTest[] = item.values.map((v) => {
    const refPath = splitPath(v.value as string);
    // The value under test is compared with each value of the referenced field, read from the
    // record the context carries.
    return (x, ctx) => {
      if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean") return false;
      const a = fold(String(x));
      return anyAtPath(
        ctx.record,
        refPath,
        (y) => {
          if (typeof y !== "string" && typeof y !== "number" && typeof y !== "boolean") return false;
          return cmp(a, fold(String(y)));
        },
        ctx,
      );
    };
  });
  return combine(groups, item.path, false, item.linking, neq);
}
