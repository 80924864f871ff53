import assert from "node:assert/strict";
import { test } from "node:test";
import { diffFindings } from "../../src/daemon/events.ts";
import type { FindingView, Status } from "../../src/daemon/types.ts";

const at = new Date("2026-11-24T01:00:00Z");
const f = (
  status: Status,
  resource = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/main",
): FindingView => ({
  check: "trail-logging",
  status,
  accountId: "111111111111",
  region: "eu-west-1",
  resource,
  message: `trail is ${status}`,
});
const kinds = (prev: FindingView[] | undefined, cur: FindingView[]) =>
  diffFindings(prev, cur, "audit-x.json", at).map((e) => e.kind);

test("a finding going from PASS to FAIL is a new-fail event", () => {
  const [e] = diffFindings([f("PASS")], [f("FAIL")], "audit-20261124T010000Z.json", at);
  assert.equal(e.kind, "new-fail");
  assert.equal(e.previousStatus, "PASS");
  assert.equal(e.status, "FAIL");
  assert.equal(e.report, "audit-20261124T010000Z.json");
  assert.equal(e.time, "2026-11-24T01:00:00.000Z");
});

test("a FAIL that passes now is a fix", () => {
  assert.deepEqual(kinds([f("FAIL")], [f("PASS")]), ["fixed"]);
});

test("a finding becoming ERROR is a new-error, and an ERROR turning PASS is error-cleared", () => {
  assert.deepEqual(kinds([f("PASS")], [f("ERROR")]), ["new-error"]);
  assert.deepEqual(kinds([f("ERROR")], [f("PASS")]), ["error-cleared"]);
  assert.deepEqual(kinds([f("ERROR")], [f("FAIL")]), ["new-fail"]);
});

test("an unchanged status produces no event", () => {
  assert.deepEqual(kinds([f("FAIL"), f("PASS", "other")], [f("FAIL"), f("PASS", "other")]), []);
});

test("a new finding is an event only when it does not pass", () => {
  assert.deepEqual(kinds([], [f("PASS", "a"), f("FAIL", "b")]), ["new-fail"]);
});

test("a finding that disappeared is reported as gone with its last status", () => {
  const [e] = diffFindings([f("PASS", "deleted-trail")], [], "r", at);
  assert.equal(e.kind, "gone");
  assert.equal(e.previousStatus, "PASS");
  assert.equal(e.status, undefined);
});

test("the first audit (no previous report) is the baseline and produces no events", () => {
  assert.deepEqual(kinds(undefined, [f("FAIL")]), []);
});

test("findings are matched by check, account, region and resource", () => {
  const other = { ...f("FAIL"), region: "us-east-1" };
  assert.deepEqual(kinds([f("PASS")], [f("PASS"), other]), ["new-fail"]);
});
