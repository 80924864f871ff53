import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

describe("the scan's worker and per-file limit keys", () => {
  it("default to the available cores, 1 GiB decompressed and 300 seconds per file", () => {
    const { logs } = parseConfig("", "cfg.yaml", "/base");
    assert.equal(logs.workers, availableParallelism());
    assert.equal(logs.maxFileBytes, 1024 ** 3);
    assert.equal(logs.fileTimeoutSeconds, 300);
  });

  it("take the configured values, 0 workers included", () => {
    const { logs } = parseConfig(
      "logs:\n  workers: 0\n  maxFileBytes: 5000000\n  fileTimeoutSeconds: 2.5\n",
      "cfg.yaml",
      "/base",
    );
    assert.deepEqual([logs.workers, logs.maxFileBytes, logs.fileTimeoutSeconds], [0, 5_000_000, 2.5]);
  });

  it("refuse out-of-range values with their line and column", () => {
    try {
      parseConfig("logs:\n  workers: -1\n  maxFileBytes: 0\n  fileTimeoutSeconds: 0\n", "cfg.yaml", "/base");
      assert.fail("accepted");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const lines = err.message.split("\n");
      assert.equal(lines.length, 3, err.message);
      assert.match(lines[0], /^cfg\.yaml:2:12: "logs\.workers" must be >= 0/);
      assert.match(lines[1], /^cfg\.yaml:3:17: "logs\.maxFileBytes" must be >= 1/);
      assert.match(lines[2], /^cfg\.yaml:4:23: "logs\.fileTimeoutSeconds" must be > 0/);
    }
  });
});
