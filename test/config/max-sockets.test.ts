import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

describe("aws.maxSockets", () => {
  it("is read from the config", () => {
    assert.equal(parseConfig("aws:\n  maxSockets: 128\n", "cfg.yaml", "/base").aws.maxSockets, 128);
  });

  it("is left to the SDK when absent", () => {
    assert.equal(parseConfig("", "cfg.yaml", "/base").aws.maxSockets, undefined);
  });

  it("must be a positive integer, reported at its position", () => {
    assert.throws(
      () => parseConfig("aws:\n  maxSockets: 0\n", "cfg.yaml", "/base"),
      (err: unknown) =>
        err instanceof ConfigError && /^cfg\.yaml:2:15: "aws\.maxSockets" must be >= 1/.test(err.message),
    );
  });
});
