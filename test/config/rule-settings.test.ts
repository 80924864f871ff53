// `rules` in the config: the list of paths, or the map with paths, includeStatuses, select, exclude.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, parseConfig, withDefaults } from "../../src/config/load.ts";
import { loadSchema } from "../../src/config/schema.ts";

function problemsOf(text: string, baseDir = "/base", checkPaths = false): string[] {
  try {
    parseConfig(text, "cfg.yaml", baseDir, { checkPaths });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  return [];
}

describe("config rules settings", () => {
  it("still reads rules as a list of paths, with the default statuses", () => {
    const config = parseConfig("rules: [mine, ../shared]\n", "cfg.yaml", "/base/conf");
    assert.deepEqual(config.rules, ["/base/conf/mine", "/base/shared"]);
    assert.deepEqual(config.ruleSelection, {
      includeStatuses: ["stable", "test", "experimental"],
      file: resolve("cfg.yaml"),
    });
  });

  it("gives no paths and the default statuses when rules is absent", () => {
    const config = parseConfig("", "cfg.yaml", "/base");
    assert.deepEqual(config.rules, []);
    assert.deepEqual(config.ruleSelection.includeStatuses, ["stable", "test", "experimental"]);
  });

  it("reads the map form: paths relative to the config, select and exclude as written", () => {
    const config = parseConfig(
      [
        "rules:",
        "  paths: [mine]",
        "  select: { levels: [high, critical], tags: ['attack.t1562*'] }",
        "  exclude: { ids: [noisy-rule] }",
      ].join("\n"),
      "cfg.yaml",
      "/base",
    );
    assert.deepEqual(config.rules, ["/base/mine"]);
    assert.deepEqual(config.ruleSelection, {
      includeStatuses: ["stable", "test", "experimental"],
      select: { levels: ["high", "critical"], tags: ["attack.t1562*"] },
      exclude: { ids: ["noisy-rule"] },
      file: resolve("cfg.yaml"),
    });
  });

  it("fills the map form's defaults from the schema, also where the config was not validated first", () => {
    const config = withDefaults({ rules: { paths: ["r"] } }, "/base");
    assert.deepEqual(config.rules, ["/base/r"]);
    assert.deepEqual(config.ruleSelection, { includeStatuses: ["stable", "test", "experimental"] });
    const schema = loadSchema("config") as {
      definitions: { ruleSettings: { properties: { includeStatuses: { default: string[] } } } };
    };
    assert.deepEqual(
      schema.definitions.ruleSettings.properties.includeStatuses.default,
      config.ruleSelection.includeStatuses,
    );
  });

  it("takes includeStatuses as written, replacing the default", () => {
    const config = parseConfig("rules:\n  paths: [r]\n  includeStatuses: [stable, deprecated]\n", "c", "/");
    assert.deepEqual(config.ruleSelection.includeStatuses, ["stable", "deprecated"]);
  });

  it("locates an unknown level in rules.select", () => {
    const problems = problemsOf("rules:\n  paths: [r]\n  select:\n    levels: [high, severe]\n");
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /^cfg\.yaml:4:20: "rules\.select\.levels\.1" must be one of "informational"/);
  });

  it("locates an unknown key in the rules map", () => {
    const problems = problemsOf("rules:\n  paths: [r]\n  selct: { levels: [high] }\n");
    assert.deepEqual(problems, ['cfg.yaml:3:3: unknown key "selct" in rules']);
  });

  it("locates an unknown status in rules.includeStatuses and rules.exclude", () => {
    const problems = problemsOf(
      "rules:\n  includeStatuses: [stable, retired]\n  exclude: { statuses: [old] }\n",
    );
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /^cfg\.yaml:2:29: "rules\.includeStatuses\.1" must be one of/);
    assert.match(problems[1], /^cfg\.yaml:3:25: "rules\.exclude\.statuses\.0" must be one of/);
  });

  it("refuses a tag pattern with a * anywhere but at its end", () => {
    const problems = problemsOf("rules:\n  select: { tags: ['attack.*.008'] }\n");
    assert.deepEqual(problems, [
      'cfg.yaml:2:20: rules.select.tags[0] "attack.*.008": a tag pattern may hold * only at its end',
    ]);
  });

  it("refuses a selected status that includeStatuses leaves out", () => {
    const problems = problemsOf("rules:\n  select: { statuses: [stable, deprecated] }\n");
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /^cfg\.yaml:2:32: rules\.select\.statuses\[1\] "deprecated": rules\.includeStatuses/,
    );
  });

  it("refuses rules that is neither a list nor a map", () => {
    const problems = problemsOf("rules: rules/\n");
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /^cfg\.yaml:1:8: "rules" must be array,object/);
  });

  it("checks that rules.paths exist, located at the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-rule-settings-"));
    mkdirSync(join(dir, "here"));
    const problems = problemsOf("rules:\n  paths: [here, missing]\n", dir, true);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /^cfg\.yaml:2:17: rules\.paths\[1\] "missing" does not exist/);
  });
});
