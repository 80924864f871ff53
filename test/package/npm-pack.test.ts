// The npm package as a user gets it: `npm pack` (which builds dist/ in prepack), installed from the
// tarball into an empty folder, and its commands run from yet another folder.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { copyOfSources, REPO, run } from "./support.ts";

const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));

describe("the packed npm package", () => {
  let files: string[];
  let app: string;
  let elsewhere: string;
  const temps: string[] = [];
  const trailwarden = (...args: string[]) =>
    run(process.execPath, [join(app, "node_modules/trailwarden/bin/trailwarden.js"), ...args], elsewhere);

  before(() => {
    const src = copyOfSources("tw-pack-src-");
    const out = mkdtempSync(join(tmpdir(), "tw-pack-"));
    temps.push(src, out);
    const packed = run("npm", ["pack", "--json", "--pack-destination", out], src);
    assert.equal(packed.code, 0, packed.all);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")));
    files = info.files.map((f: { path: string }) => f.path);
    app = join(out, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "tw-install-check", "private": true }\n');
    const installed = run("npm", ["install", "--omit=dev", join(out, info.filename)], app);
    assert.equal(installed.code, 0, installed.all);
    elsewhere = mkdtempSync(join(tmpdir(), "tw-pack-cwd-"));
    temps.push(elsewhere);
  });
  after(() => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  it("holds the compiled CLI, rules, schemas, demo data, docs and examples, and no sources or tests", () => {
    for (const f of [
      "bin/trailwarden.js",
      "dist/cli/main.js",
      "schema/config.schema.json",
      "rules/aws_cloudtrail_trail_deleted.yml",
      "rules/aws_cloudtrail_trail_deleted.tests.yaml",
      "demo/config.yaml",
      "demo/inventory.json",
      "docs/daemon.md",
      "examples/kubernetes/deployment.yaml",
      "examples/iam-policy.json",
      "config.example.yaml",
    ])
      assert.ok(files.includes(f), `${f} is not in the package`);
    assert.ok(files.some((f) => f.startsWith("demo/logs/")));
    assert.deepEqual(
      files.filter((f) => /^(src|test|bench|\.ci)\//.test(f)),
      [],
    );
  });

  it("runs the compiled CLI without dev dependencies", () => {
    assert.equal(existsSync(join(app, "node_modules/tsx")), false);
    assert.equal(existsSync(join(app, "node_modules/trailwarden/dist/cli/main.js")), true);
  });

  it("prints its version", () => {
    const r = trailwarden("--version");
    assert.equal(r.code, 0, r.all);
    assert.equal(r.stdout, `trailwarden ${version}\n`);
  });

  it("runs the demo from another folder, writing only under ./.trailwarden/demo", () => {
    const r = trailwarden("demo");
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /^audit: \d+ findings: \d+ PASS, [1-9]\d* FAIL/m);
    assert.match(r.stdout, /^scan: \d+ log files, \d+ records, [1-9]\d* detections/m);
    assert.match(r.stdout, /reports in \.trailwarden\/demo\/reports\/: .*latest-audit\.json/);
    assert.ok(existsSync(join(elsewhere, ".trailwarden/demo/reports/detections.jsonl")));
    assert.equal(existsSync(join(app, "node_modules/trailwarden/.trailwarden")), false);
  });

  it("validates and tests its bundled rules", () => {
    const validated = trailwarden("rules", "validate");
    assert.equal(validated.code, 0, validated.all);
    assert.match(validated.stdout, /^(\d+) of \1 rule files loaded; no problems(, \d+ warnings?)?$/m);
    const tested = trailwarden("rules", "test");
    assert.equal(tested.code, 0, tested.all);
    assert.match(tested.stdout, /\d+ passed, 0 failed, 0 problems, 0 rules without tests/);
  });
});
