// The defaults the docs state are the ones the code applies: the README's configuration table,
// config.example.yaml's `rules` note, the audit's configuration keys, and the rule docs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { withDefaults } from "../../src/config/load.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string) => readFileSync(`${repo}${file}`, "utf8");
const BASE = "/etc/trailwarden";
const defaults = withDefaults({}, BASE) as unknown as Record<string, unknown>;

function valueAt(key: string): unknown {
  let v: unknown = defaults;
  for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
  return v;
}

/** A stated default as a value, or undefined when it is prose ("the caller's account", "SDK's"). */
function stated(text: string): unknown {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  const code = /^`([^`]*)`$/.exec(t)?.[1];
  if (code === undefined) return undefined;
  if (code === "[]" || code === "{}" || code === "true" || code === "false") return JSON.parse(code);
  return code;
}

test("every default in the README's configuration table is the one the code applies", () => {
  const rows = read("README.md")
    .split("\n")
    .map((l) => l.split(/(?<!\\)\|/))
    .filter((cells) => /^ `[a-zA-Z.]+(\[\])?`/.test(cells[1] ?? "") && cells.length === 5);
  const compared: string[] = [];
  for (const [, keyCell, defaultCell] of rows) {
    const keys = [...keyCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const values = (defaultCell.match(/`[^`]*`|[^,`]+/g) ?? []).map((v) => v.trim()).filter(Boolean);
    if (keys.length !== values.length) continue;
    keys.forEach((key, i) => {
      const want = stated(values[i]);
      const got = valueAt(key);
      if (want === undefined || got === undefined) return;
      compared.push(key);
      if (key === "state.dir" || key === "output.dir")
        assert.equal(`./${relative(BASE, got as string)}`, want, key);
      else assert.deepEqual(got, want, key);
    });
  }
  for (const key of [
    "rules",
    "aws.maxAttempts",
    "aws.accountConcurrency",
    "state.dir",
    "output.dir",
    "logLevel",
  ])
    assert.ok(compared.includes(key), `${key} was not compared: ${compared.join(", ")}`);
});

test("the audit's configuration keys state the real defaults, not the benchmark's settings", () => {
  const audit = read("docs/audit.md");
  const aws = defaults.aws as Record<string, unknown>;
  for (const key of ["maxAttempts", "concurrencyPerRegion", "accountConcurrency"]) {
    const row = audit.split("\n").find((l) => l.startsWith(`| \`aws.${key}\``));
    assert.match(row ?? "", new RegExp(`default ${aws[key]} \\|$`), key);
  }
  assert.equal(aws.maxSockets, undefined);
  assert.match(audit, /\| `aws\.maxSockets` \|.*Default: unset/);
  assert.doesNotMatch(audit, /The default settings are `maxSockets` 64/);
});

test("no doc claims a default `rules` other than none", () => {
  for (const file of ["README.md", "docs/rules.md", "docs/rule-pack.md", "config.example.yaml"]) {
    const text = read(file);
    assert.doesNotMatch(
      text,
      /default `\.\/rules`|default configuration reads them|rules: \[\.\/rules\]`\)/,
      file,
    );
  }
  assert.match(read("config.example.yaml"), /Default: none \(\[\]\)/);
  assert.match(read("docs/rules.md"), /The default is none \(`\[\]`\)/);
});
