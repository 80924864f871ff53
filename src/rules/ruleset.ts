// A set of compiled rules indexed by what nearly every CloudTrail rule pins (eventName, eventSource),
// so a record is only tried against the rules that could match it, and those rules skip the checks
// the index has already made.
import { direct, type Test } from "./combine.ts";
import { toLowerCached } from "./patterns.ts";
import { EvalContext } from "./record-cache.ts";
import type { CompiledRule } from "./types.ts";

const NONE: readonly CompiledRule[] = Object.freeze([]);

/** Told when one rule throws on one record; the other rules still give their verdicts. */
export type RuleErrorHandler = (rule: CompiledRule, error: unknown) => void;
const ignoreError: RuleErrorHandler = () => {};
const hasOwn = Object.prototype.hasOwnProperty;
/** Distinct eventName / eventSource spellings remembered; AWS has a few thousand event names. */
const MEMO_LIMIT = 16_384;

interface Entry {
  rule: CompiledRule;
  /** The rule's test, specialised for records that reached it through the index. */
  test: Test;
}

interface NameBucket {
  /** Rules that pin this eventName and no eventSource. */
  any: Entry[];
  /** Rules that pin this eventName and an eventSource, by lowercased source. */
  bySource: Map<string, Entry[]>;
}

export class RuleSet {
  readonly rules: readonly CompiledRule[];
  private readonly byName = new Map<string, NameBucket>();
  /** Rules that pin eventSource but not eventName, by lowercased source. */
  private readonly bySource = new Map<string, Entry[]>();
  /** Rules that pin neither: tried on every record. */
  private readonly always: Entry[] = [];
  private readonly order = new Map<CompiledRule, number>();
  private readonly nameMemo = new Map<string, NameBucket | null>();
  private readonly sourceMemo = new Map<string, string>();

  constructor(rules: readonly CompiledRule[]) {
    this.rules = Object.freeze([...rules]);
    this.rules.forEach((rule, i) => {
      this.order.set(rule, i);
      const { eventName, eventSource } = rule.pins;
      if (eventName && eventSource) {
        const entry = { rule, test: direct(rule.specialize(["eventName", "eventSource"])) };
        for (const n of eventName) for (const s of eventSource) push(this.bucket(n).bySource, s, entry);
      } else if (eventName) {
        const entry = { rule, test: direct(rule.specialize(["eventName"])) };
        for (const n of eventName) this.bucket(n).any.push(entry);
      } else if (eventSource) {
        const entry = { rule, test: direct(rule.specialize(["eventSource"])) };
        for (const s of eventSource) push(this.bySource, s, entry);
      } else {
        this.always.push({ rule, test: direct(rule.test) });
      }
    });
  }

  private bucket(name: string): NameBucket {
    let b = this.byName.get(name);
    if (!b) {
      b = { any: [], bySource: new Map() };
      this.byName.set(name, b);
    }
    return b;
  }

  /**
   * Rules matching one CloudTrail record (a parsed JSON object), in rule order. Hot path. Each rule
   * is judged on its own: one that throws is reported to `onError` and counts as not matching, and
   * every other rule still gives its verdict.
   */
  evaluate(
    record: Record<string, unknown>,
    onError: RuleErrorHandler = ignoreError,
  ): readonly CompiledRule[] {
    // One context per record: the caches every rule's test shares for this record, and only this one.
    const ctx = new EvalContext(record);
    const name = hasOwn.call(record, "eventName") ? record.eventName : undefined;
    const source = hasOwn.call(record, "eventSource") ? record.eventSource : undefined;
    if (!indexable(name) || !indexable(source)) return this.scanAll(record, ctx, onError);
    const lcSource = typeof source === "string" ? this.sourceKey(source) : undefined;
    let out: CompiledRule[] | undefined;
    let lists = 0;
    const bucket = typeof name === "string" ? this.nameBucket(name) : undefined;
    if (bucket) {
      if (bucket.any.length) {
        lists++;
        out = matching(bucket.any, record, ctx, out, onError);
      }
      const both = lcSource === undefined ? undefined : bucket.bySource.get(lcSource);
      if (both) {
        lists++;
        out = matching(both, record, ctx, out, onError);
      }
    }
    const bySource = lcSource === undefined ? undefined : this.bySource.get(lcSource);
    if (bySource) {
      lists++;
      out = matching(bySource, record, ctx, out, onError);
    }
    if (this.always.length) {
      lists++;
      out = matching(this.always, record, ctx, out, onError);
    }
    if (!out) return NONE;
    if (lists > 1 && out.length > 1) out.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    return out;
  }

  /** The bucket for a record's eventName as written (memoised: names repeat endlessly). */
  private nameBucket(name: string): NameBucket | undefined {
    let b = this.nameMemo.get(name);
    if (b === undefined) {
      b = this.byName.get(toLowerCached(name)) ?? null;
      if (this.nameMemo.size >= MEMO_LIMIT) this.nameMemo.clear();
      this.nameMemo.set(name, b);
    }
    return b ?? undefined;
  }

  private sourceKey(source: string): string {
    let k = this.sourceMemo.get(source);
    if (k === undefined) {
      k = toLowerCached(source);
      if (this.sourceMemo.size >= MEMO_LIMIT) this.sourceMemo.clear();
      this.sourceMemo.set(source, k);
    }
    return k;
  }

  /** A record whose eventName/eventSource is neither a string nor absent bypasses the index. */
  private scanAll(
    record: Record<string, unknown>,
    ctx: EvalContext,
    onError: RuleErrorHandler,
  ): readonly CompiledRule[] {
    let out: CompiledRule[] | undefined;
    for (const rule of this.rules) {
      if (judge(rule, direct(rule.test), record, ctx, onError)) {
        if (out) out.push(rule);
        else out = [rule];
      }
    }
    return out ?? NONE;
  }
}

/** A value the index can decide on: a string, or absent/null (which no pinned value equals). */
function indexable(v: unknown): boolean {
  return typeof v === "string" || v === undefined || v === null;
}

/** One rule's verdict on one record; a rule that throws is reported and does not match. */
function judge(
  rule: CompiledRule,
  test: Test,
  record: Record<string, unknown>,
  ctx: EvalContext,
  onError: RuleErrorHandler,
): boolean {
  try {
    return test(record, ctx);
  } catch (err) {
    onError(rule, err);
    return false;
  }
}

/** Appends the rules of `list` that match; allocates the result only on the first match. */
function matching(
  list: readonly Entry[],
  record: Record<string, unknown>,
  ctx: EvalContext,
  out: CompiledRule[] | undefined,
  onError: RuleErrorHandler,
) {
  for (let i = 0; i < list.length; i++) {
    if (judge(list[i].rule, list[i].test, record, ctx, onError)) {
      if (out) out.push(list[i].rule);
      else out = [list[i].rule];
    }
  }
  return out;
}

function push(m: Map<string, Entry[]>, key: string, e: Entry): void {
  const list = m.get(key);
  if (list) {
    if (!list.some((x) => x.rule === e.rule)) list.push(e);
  } else m.set(key, [e]);
}
