import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../src/cli/command.ts";
import { chooseOutput, colorsFor } from "../../src/cli/format.ts";

const ALL = ["table", "json", "html", "ocsf"] as const;
const tty = { stdoutIsTTY: true, env: {} };
const pipe = { stdoutIsTTY: false, env: {} };

describe("--format and --output", () => {
  it("default to a table when stdout is a terminal", () => {
    assert.equal(chooseOutput({}, ALL, tty).format, "table");
  });

  it("default to JSON when stdout is a pipe", () => {
    assert.equal(chooseOutput({}, ALL, pipe).format, "json");
  });

  it("default to JSON for an --output file, even from a terminal", () => {
    const t = chooseOutput({ output: "r.json" }, ALL, tty);
    assert.deepEqual([t.format, t.file, t.color], ["json", "r.json", false]);
  });

  it("treat --output - as stdout", () => {
    const t = chooseOutput({ output: "-" }, ALL, tty);
    assert.deepEqual([t.format, t.file], ["table", undefined]);
  });

  it("colour only on a terminal", () => {
    assert.equal(chooseOutput({}, ALL, tty).color, true);
    assert.equal(chooseOutput({ format: "table" }, ALL, pipe).color, false);
  });

  it("turn colour off when NO_COLOR is set to anything but the empty string", () => {
    assert.equal(chooseOutput({}, ALL, { stdoutIsTTY: true, env: { NO_COLOR: "1" } }).color, false);
    assert.equal(chooseOutput({}, ALL, { stdoutIsTTY: true, env: { NO_COLOR: "" } }).color, true);
  });

  it("give colour functions that add escape codes only when colour is on", () => {
    assert.notEqual(colorsFor({ format: "table", color: true }).red("x"), "x");
    assert.equal(colorsFor({ format: "table", color: false }).red("x"), "x");
  });

  it("reject a format the command does not offer, naming the ones it does", () => {
    assert.throws(
      () => chooseOutput({ format: "xml" }, ALL, pipe),
      (err: Error) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /--format xml: expected one of table, json, html, ocsf/);
        return true;
      },
    );
    assert.throws(() => chooseOutput({ format: "html" }, ["json"], pipe), UsageError);
  });
});
