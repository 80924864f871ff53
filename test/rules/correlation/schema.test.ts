// schema/rule.schema.json covers every document a rule file may hold (detection rule, correlation,
// filter), and the loader agrees with it: a document the schema rejects is refused by the loader with
// a problem on a line the schema's error points at, and one the schema accepts loads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatorFor } from "../../../src/config/schema.ts";
import { locate, parseYaml } from "../../../src/config/yaml.ts";
import { baseRule, loadTexts, problemLines } from "./support.ts";

const CORR = (body: string, top = "") => `title: C
id: c
${top}correlation:
${body}`;
const COUNT = "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 3}\n";
const FILTER = (body: string, top = "") => `title: F
id: f
${top}logsource: {product: aws, service: cloudtrail}
filter:
${body}`;

const VALID: Record<string, string> = {
  event_count: CORR(COUNT),
  "value_count with field, group-by, generate": CORR(
    "  type: value_count\n  rules: r\n  group-by: [userIdentity.arn, sourceIPAddress]\n  timespan: 1h\n  condition: {field: eventName, gte: 3, lt: 10}\n  generate: true\n",
  ),
  "temporal_ordered without condition, with aliases": CORR(
    "  type: temporal_ordered\n  rules: [r, r2]\n  group-by: [who]\n  timespan: 10m\n  aliases:\n    who:\n      r: userIdentity.arn\n      r2: requestParameters.userName\n",
  ),
  value_percentile: CORR(
    "  type: value_percentile\n  rules: [r]\n  timespan: 1d\n  condition: {field: bytes, percentile: 95, gt: 1000}\n",
  ),
  metadata: CORR(
    COUNT,
    "level: high\nstatus: test\ntags: [attack.t1110]\nfalsepositives: [load tests]\ndate: 2026-11-01\n",
  ),
  filter: FILTER("  rules: [r]\n  selection:\n    sourceIPAddress: 10.0.0.1\n  condition: not selection\n"),
  "filter for any rule": FILTER(
    "  rules: any\n  selection:\n    eventName: X\n  condition: not selection\n",
    "description: quiet a host\n",
  ),
};

const INVALID: Record<string, string> = {
  "an unknown top-level key": CORR(COUNT, "severity: high\n"),
  "a detection in a correlation": CORR(COUNT, "detection: {condition: x}\n"),
  "an unknown key in correlation": CORR(`${COUNT}  over: 5m\n`),
  "an unknown type": CORR("  type: event_sum\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 3}\n"),
  "a timespan without unit": CORR(
    "  type: event_count\n  rules: [r]\n  timespan: 5 minutes\n  condition: {gte: 3}\n",
  ),
  "a zero timespan": CORR("  type: event_count\n  rules: [r]\n  timespan: 0m\n  condition: {gte: 3}\n"),
  "an unknown condition key": CORR(
    "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 3, above: 4}\n",
  ),
  "a condition without operator": CORR(
    "  type: value_count\n  rules: [r]\n  timespan: 5m\n  condition: {field: x}\n",
  ),
  "value_count without field": CORR(
    "  type: value_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 3}\n",
  ),
  "event_count without condition": CORR("  type: event_count\n  rules: [r]\n  timespan: 5m\n"),
  "event_count with a field": CORR(
    "  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 3, field: x}\n",
  ),
  "a percentile over 100": CORR(
    "  type: value_percentile\n  rules: [r]\n  timespan: 5m\n  condition: {field: b, percentile: 150, gt: 1}\n",
  ),
  "a percentile on value_sum": CORR(
    "  type: value_sum\n  rules: [r]\n  timespan: 5m\n  condition: {field: b, percentile: 50, gt: 1}\n",
  ),
  "no rules": CORR("  type: event_count\n  rules: []\n  timespan: 5m\n  condition: {gte: 3}\n"),
  "a rule listed twice": CORR(
    "  type: event_count\n  rules: [r, r]\n  timespan: 5m\n  condition: {gte: 3}\n",
  ),
  "generate not a boolean": CORR(`${COUNT}  generate: yes please\n`),
  "a bad alias": CORR(
    "  type: event_count\n  rules: [r]\n  group-by: [who]\n  timespan: 5m\n  condition: {gte: 3}\n  aliases:\n    who: userIdentity.arn\n",
  ),
  "tags not a list": CORR(COUNT, "tags: attack.t1110\n"),
  "an unknown status": CORR(COUNT, "status: draft\n"),
  "an unknown level": CORR(COUNT, "level: severe\n"),
  "a filter with an unknown key": FILTER(
    "  rules: [r]\n  selection:\n    eventName: X\n  condition: not selection\n",
    "priority: 1\n",
  ),
  "a filter without condition": FILTER("  rules: [r]\n  selection:\n    eventName: X\n"),
  "a filter without rules": FILTER("  selection:\n    eventName: X\n  condition: not selection\n"),
};

async function judge(text: string) {
  const loaded = await loadTexts({
    "case.yml": text,
    "r.yml": `${baseRule("r", undefined, "X")}---\n${baseRule("r2", undefined, "Y")}`,
  });
  const parsed = parseYaml(text, "case.yml");
  const validate = validatorFor("rule");
  const valid = validate(parsed.value) as boolean;
  // Where each schema error points: the map (its key) or the value at the error's instance path, and
  // for an unknown key, the key itself.
  const schemaLines = new Set<number>();
  for (const e of validate.errors ?? []) {
    const path: (string | number)[] = e.instancePath.split("/").slice(1);
    if (e.keyword === "additionalProperties")
      path.push((e.params as { additionalProperty: string }).additionalProperty);
    schemaLines.add(locate(parsed, path, true).line);
    schemaLines.add(locate(parsed, path, false).line);
  }
  const loaderLines = problemLines(loaded)
    .filter((l) => l.startsWith("case.yml:"))
    .map((l) => Number(l.split(":")[1]));
  return { valid, schemaLines, loaderLines, problems: problemLines(loaded) };
}

describe("rule.schema.json and the loader on correlation and filter documents", () => {
  for (const [name, text] of Object.entries(VALID))
    it(`both accept ${name}`, async () => {
      const r = await judge(text);
      assert.equal(r.valid, true, JSON.stringify(validatorFor("rule").errors));
      assert.deepEqual(r.problems, []);
    });
  for (const [name, text] of Object.entries(INVALID))
    it(`both refuse ${name}, on the same line`, async () => {
      const r = await judge(text);
      assert.equal(r.valid, false, "the schema refuses it");
      assert.ok(r.loaderLines.length > 0, "the loader refuses it");
      assert.ok(
        r.loaderLines.some((l) => r.schemaLines.has(l)),
        `loader ${JSON.stringify(r.problems)} vs schema lines ${[...r.schemaLines]}`,
      );
    });
});
