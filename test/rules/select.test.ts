// Which rules load: rules.includeStatuses, rules.select and rules.exclude (docs/rules.md).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { RuleSelection } from "../../src/config/types.ts";
import { formatRuleProblem, loadRules } from "../../src/rules/index.ts";
import { runRuleTests } from "../../src/rules/tests.ts";

interface Spec {
  id: string;
  name?: string;
  level?: string;
  status?: string;
  tags?: string[];
  eventName?: string;
}

function ruleDoc(s: Spec): string {
  return [
    `title: Rule ${s.id}`,
    `id: ${s.id}`,
    ...(s.name ? [`name: ${s.name}`] : []),
    ...(s.status ? [`status: ${s.status}`] : []),
    ...(s.level ? [`level: ${s.level}`] : []),
    ...(s.tags ? [`tags: [${s.tags.join(", ")}]`] : []),
    "logsource: { product: aws, service: cloudtrail }",
    "detection:",
    `  selection: { eventName: ${s.eventName ?? "StopLogging"} }`,
    "  condition: selection",
    "",
  ].join("\n");
}

const correlationDoc = (id: string, rules: string[], generate = false, level = "high") =>
  [
    `title: Correlation ${id}`,
    `id: ${id}`,
    `level: ${level}`,
    "correlation:",
    "  type: event_count",
    `  rules: [${rules.join(", ")}]`,
    "  group-by: [sourceIPAddress]",
    "  timespan: 10m",
    "  condition: { gte: 3 }",
    ...(generate ? ["  generate: true"] : []),
    "",
  ].join("\n");

async function load(files: Record<string, string>, selection?: RuleSelection) {
  const dir = mkdtempSync(join(tmpdir(), "tw-select-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const loaded = await loadRules([dir], { selection });
  return { ...loaded, dir, ids: loaded.ruleSet.rules.map((r) => r.id).sort() };
}

const DEFAULT_STATUSES: RuleSelection["includeStatuses"] = ["stable", "test", "experimental"];
const sel = (s: Omit<RuleSelection, "includeStatuses">): RuleSelection => ({
  includeStatuses: DEFAULT_STATUSES,
  ...s,
});

describe("rule selection", () => {
  it("leaves deprecated and unsupported rules out by default, with a located note and no problem", async () => {
    const loaded = await load({
      "a.yml": ruleDoc({ id: "a", status: "stable" }),
      "b.yml": ruleDoc({ id: "b", status: "deprecated" }),
      "c.yml": ruleDoc({ id: "c", status: "unsupported" }),
      "d.yml": ruleDoc({ id: "d" }),
    });
    assert.deepEqual(loaded.ids, ["a", "d"]);
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.notes.map(formatRuleProblem), [
      `${join(loaded.dir, "b.yml")}:1:1: [b] not loaded: status deprecated (rules.includeStatuses)`,
      `${join(loaded.dir, "c.yml")}:1:1: [c] not loaded: status unsupported (rules.includeStatuses)`,
    ]);
  });

  it("loads a deprecated rule when includeStatuses lists deprecated", async () => {
    const loaded = await load(
      { "b.yml": ruleDoc({ id: "b", status: "deprecated" }) },
      { includeStatuses: ["stable", "deprecated"] },
    );
    assert.deepEqual(loaded.ids, ["b"]);
    assert.deepEqual(loaded.notes, []);
  });

  it("selects by level: any listed level matches", async () => {
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a", level: "high" }),
        "b.yml": ruleDoc({ id: "b", level: "low" }),
        "c.yml": ruleDoc({ id: "c", level: "critical" }),
      },
      sel({ select: { levels: ["high", "critical"] } }),
    );
    assert.deepEqual(loaded.ids, ["a", "c"]);
    assert.deepEqual(
      loaded.excluded.map((e) => [e.id, e.reason]),
      [["b", "not selected (rules.select.levels)"]],
    );
    // Left out by the selection, not by status: no note.
    assert.deepEqual(loaded.notes, []);
  });

  it("needs every key given to match: level and tag together", async () => {
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a", level: "high", tags: ["attack.t1562.008"] }),
        "b.yml": ruleDoc({ id: "b", level: "high", tags: ["attack.t1078"] }),
        "c.yml": ruleDoc({ id: "c", level: "low", tags: ["attack.t1562.008"] }),
      },
      sel({ select: { levels: ["high"], tags: ["attack.t1562.008"] } }),
    );
    assert.deepEqual(loaded.ids, ["a"]);
  });

  it("matches tags case-insensitively, with a trailing * for any rest", async () => {
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a", tags: ["attack.t1562.008"] }),
        "b.yml": ruleDoc({ id: "b", tags: ["attack.t1562"] }),
        "c.yml": ruleDoc({ id: "c", tags: ["attack.t1078.004"] }),
        "d.yml": ruleDoc({ id: "d" }),
      },
      sel({ select: { tags: ["ATTACK.T1562*"] } }),
    );
    assert.deepEqual(loaded.ids, ["a", "b"]);
  });

  it("selects by id or Sigma name, and by status (a rule without status matches no status)", async () => {
    const byId = await load(
      {
        "a.yml": ruleDoc({ id: "a" }),
        "b.yml": ruleDoc({ id: "b", name: "bee" }),
        "c.yml": ruleDoc({ id: "c" }),
      },
      sel({ select: { ids: ["a", "bee"] } }),
    );
    assert.deepEqual(byId.ids, ["a", "b"]);
    const byStatus = await load(
      { "a.yml": ruleDoc({ id: "a", status: "stable" }), "b.yml": ruleDoc({ id: "b" }) },
      sel({ select: { statuses: ["stable"] } }),
    );
    assert.deepEqual(byStatus.ids, ["a"]);
  });

  it("notes an id in select or exclude that no rule or correlation has, located in the config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-select-config-"));
    const file = join(dir, "config.yaml");
    writeFileSync(file, "rules:\n  select:\n    ids: [a, typo-id]\n  exclude: { ids: [bee, gone] }\n");
    const loaded = await load(
      { "a.yml": ruleDoc({ id: "a" }), "b.yml": ruleDoc({ id: "b", name: "bee" }) },
      sel({ select: { ids: ["a", "typo-id"] }, exclude: { ids: ["bee", "gone"] }, file }),
    );
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.notes.map(formatRuleProblem), [
      `${file}:3:14: rules.select.ids[1] "typo-id": no rule or correlation found has this id or name`,
      `${file}:4:25: rules.exclude.ids[1] "gone": no rule or correlation found has this id or name`,
    ]);
  });

  it("leaves out what exclude matches, even when select matches it", async () => {
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a", level: "high" }),
        "b.yml": ruleDoc({ id: "b", level: "high", tags: ["noisy.one"] }),
      },
      sel({ select: { levels: ["high"] }, exclude: { tags: ["noisy.*"] } }),
    );
    assert.deepEqual(loaded.ids, ["a"]);
    assert.equal(loaded.excluded[0].reason, "excluded (rules.exclude)");
  });

  it("keeps the base rules of a selected correlation loaded, emitting only as its generate says", async () => {
    const files = {
      "a.yml": ruleDoc({ id: "a", level: "low" }),
      "b.yml": ruleDoc({ id: "b", level: "low", eventName: "DeleteTrail" }),
      "corr.yml": correlationDoc("burst", ["a"]),
    };
    const loaded = await load(files, sel({ select: { levels: ["high"] } }));
    assert.deepEqual(loaded.ids, ["a"]);
    assert.deepEqual(
      loaded.correlations.correlations.map((c) => c.id),
      ["burst"],
    );
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.ruleSet.rules[0].correlation?.emit, false);
    assert.match(loaded.kept.get("a") ?? "", /^used by correlation burst \(not selected/);
    const generating = await load(
      { ...files, "corr.yml": correlationDoc("burst", ["a"], true) },
      sel({ select: { levels: ["high"] } }),
    );
    assert.equal(generating.ruleSet.rules[0].correlation?.emit, true);
  });

  it("keeps a chained correlation and its base rules when the outer correlation is selected", async () => {
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a", level: "low" }),
        "inner.yml": correlationDoc("inner", ["a"], false, "low").replace(
          "id: inner",
          "id: inner\nname: inner_burst",
        ),
        "outer.yml": correlationDoc("outer", ["inner_burst"]),
      },
      sel({ select: { ids: ["outer"] } }),
    );
    assert.deepEqual(loaded.problems.map(formatRuleProblem), []);
    assert.deepEqual(loaded.ids, ["a"]);
    assert.deepEqual(loaded.correlations.correlations.map((c) => c.id).sort(), ["inner", "outer"]);
  });

  it("leaves a correlation out like a rule, and then its base rules only as the selection says", async () => {
    const loaded = await load(
      { "a.yml": ruleDoc({ id: "a", level: "low" }), "corr.yml": correlationDoc("burst", ["a"]) },
      sel({ select: { levels: ["low"] } }),
    );
    assert.deepEqual(loaded.ids, ["a"]);
    assert.deepEqual(loaded.correlations.correlations, []);
    assert.equal(loaded.ruleSet.rules[0].correlation, undefined);
  });

  it("drops a filter's references to rules left out, without reporting them missing", async () => {
    const filter = (rules: string) =>
      [
        "title: not ci",
        "id: f",
        "logsource: { product: aws, service: cloudtrail }",
        "filter:",
        `  rules: ${rules}`,
        "  selection: { userIdentity.userName: ci }",
        "  condition: not selection",
        "",
      ].join("\n");
    const loaded = await load(
      {
        "a.yml": ruleDoc({ id: "a" }),
        "b.yml": ruleDoc({ id: "b", status: "deprecated" }),
        "f.yml": filter("[a, b]"),
        "g.yml": filter("[b]").replace("id: f", "id: g"),
      },
      undefined,
    );
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(
      loaded.filters.map((f) => [f.id, f.rules]),
      [["f", ["a"]]],
    );
    const rule = loaded.ruleSet.rules[0];
    assert.equal(rule.matches({ eventName: "StopLogging", userIdentity: { userName: "ci" } }), false);
  });
});

describe("rule tests and the selection", () => {
  it("notes the cases of a rule left out, and still runs the cases of the file's other rules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-select-tests-"));
    writeFileSync(
      join(dir, "pack.yml"),
      `${ruleDoc({ id: "old", status: "deprecated" })}---\n${ruleDoc({ id: "new", eventName: "DeleteTrail" })}`,
    );
    writeFileSync(
      join(dir, "pack.tests.yaml"),
      [
        "tests:",
        "  - name: about the first rule",
        "    expect: match",
        "    record: { eventName: StopLogging }",
        "  - name: about the new rule",
        "    rule: new",
        "    expect: match",
        "    record: { eventName: DeleteTrail }",
        "",
      ].join("\n"),
    );
    const report = await runRuleTests([dir]);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.cases.map((c) => [c.ruleId, c.passed]),
      [["new", true]],
    );
    assert.deepEqual(report.notes.map(formatRuleProblem), [
      `${join(dir, "pack.yml")}:1:1: [old] not loaded: status deprecated (rules.includeStatuses)`,
      `${join(dir, "pack.tests.yaml")}:2:5: case "about the first rule" not run: [old] not loaded: status deprecated (rules.includeStatuses)`,
    ]);
  });
});
