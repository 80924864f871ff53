// Rule folders mounted the Kubernetes way: every rule file is a symlink into a timestamped folder
// reached through `..data`. Built for real in a temp dir.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatRuleProblem, loadRules } from "../../src/rules/index.ts";

function ruleYaml(id: string, eventName: string): string {
  return `title: ${eventName} seen\nid: ${id}\nlevel: high\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  sel:\n    eventName: ${eventName}\n  condition: sel\n`;
}

/** dir/..2026_11_29_10_00_00.1234/{a,b}.yml, dir/..data -> ..2026..., dir/{a,b}.yml -> ..data/{a,b}.yml */
function configMapDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tw-configmap-"));
  const stamp = "..2026_11_29_10_00_00.123456789";
  mkdirSync(join(dir, stamp));
  writeFileSync(join(dir, stamp, "stop-logging.yml"), ruleYaml("r-stop", "StopLogging"));
  writeFileSync(join(dir, stamp, "delete-trail.yml"), ruleYaml("r-delete", "DeleteTrail"));
  symlinkSync(stamp, join(dir, "..data"));
  symlinkSync("..data/stop-logging.yml", join(dir, "stop-logging.yml"));
  symlinkSync("..data/delete-trail.yml", join(dir, "delete-trail.yml"));
  return dir;
}

test("rules in a Kubernetes ConfigMap layout load once each, through their symlinks", async () => {
  const dir = configMapDir();
  const loaded = await loadRules([dir]);
  assert.deepEqual(loaded.problems.map(formatRuleProblem), []);
  assert.deepEqual(loaded.ruleSet.rules.map((r) => r.id).sort(), ["r-delete", "r-stop"]);
  assert.deepEqual(loaded.files.sort(), [join(dir, "delete-trail.yml"), join(dir, "stop-logging.yml")]);
});

test("a rules path that is itself a symlink to the ConfigMap folder loads, and a file named twice loads once", async () => {
  const dir = configMapDir();
  const link = join(mkdtempSync(join(tmpdir(), "tw-rules-link-")), "rules");
  symlinkSync(dir, link);
  const loaded = await loadRules([link, join(dir, "..data", "stop-logging.yml")]);
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.ruleSet.rules.map((r) => r.id).sort(), ["r-delete", "r-stop"]);
});

test("a symlink loop is reported where it is and not followed; the other rules still load", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-rules-loop-"));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "stop-logging.yml"), ruleYaml("r-stop", "StopLogging"));
  symlinkSync("..", join(dir, "sub", "up")); // a folder link back to an ancestor
  symlinkSync("self.yml", join(dir, "self.yml")); // a link to itself (ELOOP)
  const loaded = await loadRules([dir]);
  assert.deepEqual(
    loaded.ruleSet.rules.map((r) => r.id),
    ["r-stop"],
  );
  const problems = loaded.problems.map(formatRuleProblem);
  assert.ok(
    problems.some((p) => p.startsWith(`${join(dir, "sub", "up")}:1:1: symlink loop`)),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.startsWith(`${join(dir, "self.yml")}:1:1: symlink loop`)),
    problems.join("\n"),
  );
});
