// `trailwarden rules list`, and the rule selection as rules validate / test / list show it.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validatorFor } from "../../src/config/schema.ts";
import { runCli } from "../support/cli.ts";

function cli(...args: string[]) {
  return runCli(["rules", ...args]);
}

function rule(
  id: string,
  extra: string[],
  detection = ["  sel: { eventName: StopLogging }", "  condition: sel"],
) {
  return [
    `title: Rule ${id}`,
    `id: ${id}`,
    ...extra,
    "logsource: { product: aws, service: cloudtrail }",
    "detection:",
    ...detection,
    "",
  ].join("\n");
}

/** A folder of rules: a high one pinned on eventName, a low one on every record, a deprecated one. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tw-rules-list-rules-"));
  writeFileSync(
    join(dir, "a_high.yml"),
    rule(
      "high-one",
      ["status: stable", "level: high", "tags: [attack.t1562.008]"],
      [
        "  sel: { eventSource: cloudtrail.amazonaws.com, eventName: [StopLogging, DeleteTrail] }",
        "  condition: sel",
      ],
    ),
  );
  writeFileSync(
    join(dir, "b_low.yml"),
    rule("low-one", ["level: low"], ["  sel: { errorCode: AccessDenied }", "  condition: sel"]),
  );
  writeFileSync(join(dir, "c_old.yml"), rule("old-one", ["status: deprecated", "level: high"]));
  writeFileSync(
    join(dir, "d_corr.yml"),
    [
      "title: Denied burst",
      "id: burst",
      "level: medium",
      "correlation:",
      "  type: event_count",
      "  rules: [low-one]",
      "  group-by: [userIdentity.arn]",
      "  timespan: 5m",
      "  condition: { gte: 10 }",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "e_filter.yml"),
    [
      "title: Not CI",
      "id: not-ci",
      "logsource: { product: aws, service: cloudtrail }",
      "filter:",
      "  rules: [high-one]",
      "  sel: { userIdentity.userName: ci }",
      "  condition: not sel",
      "",
    ].join("\n"),
  );
  return dir;
}

describe("trailwarden rules list", () => {
  it("lists each rule's id, title, level, status, tags and index pins as a JSON array", () => {
    const dir = folder();
    const r = cli("list", dir, "--format", "json");
    assert.equal(r.code, 0, r.out + r.err);
    const entries = JSON.parse(r.out);
    const high = entries.find((e: { id: string }) => e.id === "high-one");
    assert.deepEqual(high, {
      kind: "rule",
      id: "high-one",
      title: "Rule high-one",
      file: join(dir, "a_high.yml"),
      line: 1,
      column: 1,
      loaded: true,
      reason: null,
      level: "high",
      status: "stable",
      tags: ["attack.t1562.008"],
      pins: { eventSource: ["cloudtrail.amazonaws.com"], eventName: ["deletetrail", "stoplogging"] },
    });
  });

  it('says "every record" for a rule that pins neither eventSource nor eventName', () => {
    const entries = JSON.parse(cli("list", folder(), "--format", "json").out);
    assert.equal(entries.find((e: { id: string }) => e.id === "low-one").pins, "every record");
  });

  it("lists correlations with type, rules, group-by and timespan, and filters with their rules", () => {
    const entries = JSON.parse(cli("list", folder(), "--format", "json").out);
    const burst = entries.find((e: { id: string }) => e.id === "burst");
    assert.equal(burst.kind, "correlation");
    assert.equal(burst.type, "event_count");
    assert.deepEqual(burst.rules, ["low-one"]);
    assert.deepEqual(burst.groupBy, ["userIdentity.arn"]);
    assert.equal(burst.timespan, "5m");
    assert.equal(burst.generate, false);
    const filter = entries.find((e: { id: string }) => e.id === "not-ci");
    assert.equal(filter.kind, "filter");
    assert.deepEqual(filter.rules, ["high-one"]);
  });

  it("orders entries by file and position, the same on every run", () => {
    const dir = folder();
    const ids = (out: string) => JSON.parse(out).map((e: { id: string }) => e.id);
    const first = ids(cli("list", dir, "--format", "json").out);
    assert.deepEqual(first, ["high-one", "low-one", "burst", "not-ci"]);
    assert.deepEqual(ids(cli("list", dir, "--format", "json").out), first);
  });

  it("leaves out a deprecated rule, noting why on stderr; --all lists it with the reason", () => {
    const dir = folder();
    const plain = cli("list", dir, "--format", "json");
    assert.equal(plain.code, 0);
    assert.ok(!JSON.parse(plain.out).some((e: { id: string }) => e.id === "old-one"));
    assert.match(
      plain.err,
      /c_old\.yml:1:1: \[old-one\] not loaded: status deprecated \(rules\.includeStatuses\)/,
    );
    const all = JSON.parse(cli("list", dir, "--format", "json", "--all").out);
    const old = all.find((e: { id: string }) => e.id === "old-one");
    assert.equal(old.loaded, false);
    assert.equal(old.reason, "status deprecated (rules.includeStatuses)");
  });

  it("honours rules.select from --config, keeping a selected correlation's base rule", () => {
    const dir = folder();
    const config = join(mkdtempSync(join(tmpdir(), "tw-rules-list-config-")), "config.yaml");
    writeFileSync(config, `rules:\n  paths: ["${dir}"]\n  select: { levels: [medium] }\n`);
    const r = cli("list", "--config", config, "--format", "json", "--all");
    assert.equal(r.code, 0, r.err);
    const byId = new Map(JSON.parse(r.out).map((e: { id: string }) => [e.id, e]));
    assert.equal((byId.get("burst") as { loaded: boolean }).loaded, true);
    const low = byId.get("low-one") as { loaded: boolean; reason: string };
    assert.equal(low.loaded, true);
    assert.equal(low.reason, "used by correlation burst (not selected (rules.select.levels))");
    const high = byId.get("high-one") as { loaded: boolean; reason: string };
    assert.deepEqual([high.loaded, high.reason], [false, "not selected (rules.select.levels)"]);
  });

  it("prints a table with the pins, or every record, when asked for one", () => {
    const r = cli("list", folder(), "--format", "table");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Rules \(2 loaded\)\nID +LEVEL +STATUS +TITLE +TAGS +INDEX PINS$/m);
    assert.match(
      r.out,
      /^high-one +high +stable +Rule high-one +attack\.t1562\.008 +eventSource cloudtrail\.amazonaws\.com; eventName deletetrail, stoplogging$/m,
    );
    assert.match(r.out, /^low-one +low +- +Rule low-one +- +every record$/m);
    assert.match(r.out, /^burst +medium +- +Denied burst +event_count +low-one +userIdentity\.arn +5m$/m);
  });

  it("writes JSON that schema/rules-list.schema.json accepts, for every kind of entry", () => {
    const entries: { kind: string }[] = JSON.parse(cli("list", folder(), "--format", "json", "--all").out);
    assert.deepEqual([...new Set(entries.map((e) => e.kind))].sort(), ["correlation", "filter", "rule"]);
    const validate = validatorFor("rules-list");
    assert.ok(validate(entries), JSON.stringify(validate.errors));
    assert.equal(validate([{ ...entries[0], pins: "some records" }]), false);
  });

  it("lists the bundled rules without a PATH", () => {
    const r = cli("list", "--format", "json");
    assert.equal(r.code, 0, r.err);
    const entries: { kind: string }[] = JSON.parse(r.out);
    assert.ok(validatorFor("rules-list")(entries), JSON.stringify(validatorFor("rules-list").errors));
    assert.ok(entries.filter((e) => e.kind === "rule").length > 10);
    assert.ok(entries.some((e) => e.kind === "correlation"));
  });

  it("exits 1 and reports a rule that does not load on stderr, keeping stdout a JSON array", () => {
    const dir = folder();
    writeFileSync(join(dir, "z_bad.yml"), "title: bad\n");
    const r = cli("list", dir, "--format", "json");
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.out).length, 4);
    assert.match(r.err, /z_bad\.yml:1:1: /);
  });
});

describe("rules validate and rules test with a deprecated rule", () => {
  it("validate notes the rule as not loaded and still exits 0", () => {
    const r = cli("validate", folder());
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      /c_old\.yml:1:1: \[old-one\] not loaded: status deprecated \(rules\.includeStatuses\)\n/,
    );
    assert.match(r.out, /no problems/);
  });

  it("test skips the deprecated rule's cases with a note, not a failure", () => {
    const dir = folder();
    writeFileSync(
      join(dir, "c_old.tests.yaml"),
      "tests:\n  - name: stops\n    expect: match\n    record: { eventName: StopLogging }\n",
    );
    const r = cli("test", dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^NOTE .*c_old\.yml:1:1: \[old-one\] not loaded: status deprecated/m);
    assert.match(
      r.out,
      /^NOTE .*c_old\.tests\.yaml:1:1: tests not run: \[old-one\] not loaded: status deprecated/m,
    );
    assert.match(r.out, /0 failed, 0 problems/);
  });
});
