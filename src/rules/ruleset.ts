// A set of compiled rules indexed by what nearly every CloudTrail rule pins (eventName, eventSource),
// so a record is only tried against the rules that could match it.
import { resetRecordCache } from "./record-cache.ts";
import type { CompiledRule } from "./types.ts";

const NONE: readonly CompiledRule[] = Object.freeze([]);
const hasOwn = Object.prototype.hasOwnProperty;
const LOWER_CACHE_LIMIT = 10_000;

export class RuleSet {
  readonly rules: readonly CompiledRule[];
  /** Rules that pin eventName, by lowercased name. */
  private readonly byName = new Map<string, CompiledRule[]>();
  /** Rules that pin eventSource but not eventName, by lowercased source. */
  private readonly bySource = new Map<string, CompiledRule[]>();
  /** Rules that pin neither: tried on every record. */
  private readonly always: CompiledRule[] = [];
  private readonly order = new Map<CompiledRule, number>();
  /** eventName/eventSource values repeat endlessly; lowercase each once. */
  private readonly lower = new Map<string, string>();

  constructor(rules: readonly CompiledRule[]) {
    this.rules = Object.freeze([...rules]);
    this.rules.forEach((r, i) => {
      this.order.set(r, i);
      if (r.pins.eventName) for (const n of r.pins.eventName) push(this.byName, n, r);
      else if (r.pins.eventSource) for (const s of r.pins.eventSource) push(this.bySource, s, r);
      else this.always.push(r);
    });
  }

  /** Rules matching one CloudTrail record (a parsed JSON object), in rule order. Hot path. */
  evaluate(record: Record<string, unknown>): readonly CompiledRule[] {
    resetRecordCache();
    const name = hasOwn.call(record, "eventName") ? record.eventName : undefined;
    const source = hasOwn.call(record, "eventSource") ? record.eventSource : undefined;
    if (!indexable(name) || !indexable(source)) return this.scanAll(record);
    let out: CompiledRule[] | undefined;
    let lists = 0;
    const byName = typeof name === "string" ? this.byName.get(this.lc(name)) : undefined;
    if (byName) {
      lists++;
      out = matching(byName, record, out);
    }
    const bySource = typeof source === "string" ? this.bySource.get(this.lc(source)) : undefined;
    if (bySource) {
      lists++;
      out = matching(bySource, record, out);
    }
    if (this.always.length) {
      lists++;
      out = matching(this.always, record, out);
    }
    if (!out) return NONE;
    if (lists > 1 && out.length > 1) out.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    return out;
  }

  /** A record whose eventName/eventSource is neither a string nor absent bypasses the index. */
  private scanAll(record: Record<string, unknown>): readonly CompiledRule[] {
    return matching(this.rules, record, undefined) ?? NONE;
  }

  private lc(s: string): string {
    let l = this.lower.get(s);
    if (l === undefined) {
      l = s.toLowerCase();
      if (this.lower.size >= LOWER_CACHE_LIMIT) this.lower.clear();
      this.lower.set(s, l);
    }
    return l;
  }
}

/** A value the index can decide on: a string, or absent/null (which no pinned value equals). */
function indexable(v: unknown): boolean {
  return typeof v === "string" || v === undefined || v === null;
}

/** Appends the rules of `list` that match; allocates the result only on the first match. */
function matching(
  list: readonly CompiledRule[],
  record: Record<string, unknown>,
  out: CompiledRule[] | undefined,
): CompiledRule[] | undefined {
  for (let i = 0; i < list.length; i++) {
    if (list[i].test(record)) {
      if (out) out.push(list[i]);
      else out = [list[i]];
    }
  }
  return out;
}

function push(m: Map<string, CompiledRule[]>, key: string, r: CompiledRule): void {
  const list = m.get(key);
  if (list) {
    if (!list.includes(r)) list.push(r);
  } else m.set(key, [r]);
}
