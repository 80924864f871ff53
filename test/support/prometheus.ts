// A strict parser of the Prometheus text exposition format (0.0.4), for tests: it throws on any
// line a Prometheus server would reject, and returns the samples with their unescaped labels.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheus(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a line feed");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.startsWith("#")) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)/.test(line)) throw new Error(`${where}: malformed ${line}`);
        return;
      }
      const [, kind, name, rest] = m;
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        if (types.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name))
          throw new Error(`${where}: TYPE after samples of ${name}`);
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`${where}: second HELP for ${name}`);
        help.set(name, unescapeText(rest, false));
      }
      return;
    }
    if (line.trim() === "") throw new Error(`${where}: empty line`);
    const sample = parseSample(line, where);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate series ${line}`);
    seen.add(key);
    const family = familyOf(sample.name, types);
    if (!family) throw new Error(`${where}: sample ${sample.name} has no TYPE line`);
    samples.push(sample);
  });
  return { types, help, samples };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = types.get(base);
    if (t === "histogram" || (t === "summary" && suffix !== "_bucket")) return base;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const m = new RegExp(`^(${NAME})`).exec(line);
  if (!m) throw new Error(`${where}: bad metric name in ${line}`);
  const name = m[1];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      if (!lm) throw new Error(`${where}: bad label at column ${i + 1}`);
      i += lm[0].length;
      let raw = "";
      while (line[i] !== '"') {
        if (i >= line.length) throw new Error(`${where}: unterminated label value`);
        if (line[i] === "\\") {
          const next = line[i + 1];
          if (next !== "\\" && next !== '"' && next !== "n")
            throw new Error(`${where}: bad escape \\${next}`);
          raw += line[i] + next;
          i += 2;
        } else raw += line[i++];
      }
      i++;
      if (lm[1] in labels) throw new Error(`${where}: duplicate label ${lm[1]}`);
      labels[lm[1]] = unescapeText(raw, true);
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw new Error(`${where}: expected , or } at column ${i + 1}`);
    }
    i++;
  }
  const rest = line.slice(i);
  const vm = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!vm) throw new Error(`${where}: bad value part "${rest}"`);
  const value = parseValue(vm[1]);
  if (value === undefined) throw new Error(`${where}: bad value ${vm[1]}`);
  return { name, labels, value };
}

function parseValue(v: string): number | undefined {
  if (v === "+Inf") return Number.POSITIVE_INFINITY;
  if (v === "-Inf") return Number.NEGATIVE_INFINITY;
  if (v === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return undefined;
  return Number(v);
}

function unescapeText(s: string, quotes: boolean): string {
  return s.replace(/\\(\\|n|")/g, (all, c: string) =>
    c === "n" ? "\n" : c === "\\" ? "\\" : quotes ? '"' : all,
  );
}

/** Value of the one sample with this name and these labels (a subset match). */
export function sampleValue(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const hits = e.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hits.reduce((a, s) => a + s.value, 0);
}
