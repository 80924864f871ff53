// The daemon and the rule selection: a rule left out by its status is logged as a note at start-up,
// and SIGHUP applies a changed rules.includeStatuses / rules.select like a change of paths.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import type { AwsTestEndpoint } from "../endpoint/server.ts";
import { DaemonProcess, daemonSetup, startDaemonWorld } from "../support/daemon-process.ts";

const ACCOUNT = "111111111111";
const BUCKET = "selection-trail-logs";
let ep: AwsTestEndpoint;
let env: Record<string, string>;
const running: DaemonProcess[] = [];

before(async () => {
  ({ ep, env } = await startDaemonWorld(ACCOUNT, BUCKET));
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.kill();
});
after(() => ep.stop());

const OLD_RULE = `title: Old trail update rule
id: old-update-trail
status: deprecated
level: low
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: UpdateTrail }
  condition: selection
`;

test("the daemon notes a deprecated rule as not loaded, and SIGHUP applies a changed rules.includeStatuses", async () => {
  const setup = daemonSetup(ep, `logs:\n  sources: ["s3://${BUCKET}/selection/"]\n`, {
    schedule: "0 0 1 1 *",
  });
  writeFileSync(join(setup.dir, "rules", "old.yml"), OLD_RULE);
  const d = new DaemonProcess(["--config", setup.configFile], env);
  running.push(d);
  const note = await d.waitForLog((l) => l.msg === "rule not loaded", "the note");
  assert.match(
    String(note.note),
    /old\.yml:1:1: \[old-update-trail\] not loaded: status deprecated \(rules\.includeStatuses\)$/,
  );
  const loaded = await d.waitForLog((l) => l.msg === "rules loaded", "the rules");
  assert.equal(loaded.rules, 1);
  await d.statusUrl(); // started: its SIGHUP handler is in place

  const config = readFileSync(setup.configFile, "utf8");
  writeFileSync(
    setup.configFile,
    config.replace(
      "rules: [rules]",
      "rules:\n  paths: [rules]\n  includeStatuses: [stable, test, experimental, deprecated]",
    ),
  );
  d.signal("SIGHUP");
  const reloaded = await d.waitForLog(
    (l) => l.msg === "rules reloaded; the next scan uses them",
    "the reload",
  );
  assert.equal(reloaded.rules, 2);

  writeFileSync(
    setup.configFile,
    config.replace("rules: [rules]", "rules:\n  paths: [rules]\n  select: { levels: [low] }"),
  );
  // A selection that leaves no rule is refused; the rules in use stay.
  d.signal("SIGHUP");
  const failed = await d.waitForLog(
    (l) => l.msg === "rule reload failed; the previous rules stay in use",
    "the refused reload",
  );
  assert.match(String(failed.error), /no rule loaded/);
  d.signal("SIGTERM");
  assert.equal(await d.exit(), 0);
});
