import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfigFile } from "../../src/config/load.ts";
import type { SourceProblem } from "../../src/config/yaml.ts";
import { daemonConfigProblems } from "../../src/daemon/config-check.ts";

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "tw-cfg-")), "config.yaml");
  writeFileSync(file, text);
  return file;
}

function loadProblems(file: string): SourceProblem[] {
  try {
    loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test("an invalid cron expression is reported at its file:line:column", () => {
  const file = configFile("schedule:\n  audit: '0 * * * *'\n  scan: '61 * * * *'\n");
  const [p] = loadProblems(file);
  assert.equal(p.file, file);
  assert.equal(p.line, 3);
  assert.equal(p.column, 9);
  assert.match(p.message, /schedule\.scan "61 \* \* \* \*": minute/);
});

test("an unknown time zone is reported", () => {
  const file = configFile("schedule:\n  timezone: Mars/Olympus\n");
  const [p] = loadProblems(file);
  assert.equal(p.line, 2);
  assert.match(p.message, /not an IANA time zone/);
});

test("the default schedules are valid", () => {
  assert.deepEqual(daemonConfigProblems(loadConfigFile(configFile("logLevel: info\n"))), []);
});
