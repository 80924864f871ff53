// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4). Hand-written because the daemon needs a dozen series and the
// format is simple; what matters is correct HELP/TYPE lines and escaping.
export type Labels = Record<string, string>;

type Kind = "counter" | "gauge" | "histogram";

interface Family {
  name: string;
  help: string;
  kind: Kind;
  render(): string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and line feed. */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function labelText(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabelValue(labels[k])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function checkLabels(metric: string, labelNames: readonly string[], labels: Labels): void {
  for (const k of Object.keys(labels))
    if (!labelNames.includes(k)) throw new Error(`metric ${metric}: unknown label ${k}`);
  for (const k of labelNames) if (!(k in labels)) throw new Error(`metric ${metric}: missing label ${k}`);
}

abstract class Series implements Family {
  abstract readonly kind: Kind;
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l)) throw new Error(`invalid label name ${l}`);
  }
  protected slot(labels: Labels): { labels: Labels; value: number } {
    const key = labelText(labels);
    let s = this.values.get(key);
    if (!s) {
      checkLabels(this.name, this.labelNames, labels);
      s = { labels: { ...labels }, value: 0 };
      this.values.set(key, s);
    }
    return s;
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(): string[] {
    return [...this.values.values()].map((s) => `${this.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
}

export class Counter extends Series {
  readonly kind = "counter";
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.slot(labels).value += by;
  }
}

export class Gauge extends Series {
  readonly kind = "gauge";
  set(labels: Labels, value: number): void {
    this.slot(labels).value = value;
  }
  /** Replace every series at once (e.g. findings of the latest audit), dropping stale label sets. */
  replaceAll(entries: Iterable<[Labels, number]>): void {
    this.values.clear();
    for (const [labels, value] of entries) this.set(labels, value);
  }
}

export class Histogram implements Family {
  readonly kind = "histogram";
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (labelNames.includes("le")) throw new Error("histogram label `le` is reserved");
  }
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      checkLabels(this.name, this.labelNames, labels);
      s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]++;
    });
    s.sum += value;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.series.get(labelText(labels))?.count ?? 0;
  }
  render(): string[] {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: formatValue(b) })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly families: Family[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** The exposition text: every family with its HELP and TYPE lines, even before it has samples. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.kind}`, ...f.render());
    }
    return `${out.join("\n")}\n`;
  }

  private add<F extends Family>(f: F): F {
    if (this.families.some((x) => x.name === f.name)) throw new Error(`metric ${f.name} registered twice`);
    this.families.push(f);
    return f;
  }
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
