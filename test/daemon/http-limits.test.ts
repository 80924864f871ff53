// The status listener's connection limit and timeouts: connections past the limit are closed on
// accept, and a client that never sends its headers is dropped after headersTimeoutSeconds.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { StatusServer } from "../../src/daemon/http.ts";
import { createLogger } from "../../src/util/logger.ts";

const health = () => ({ ok: true, reasons: [], jobs: {} });

function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("connect", () => resolve({ socket, closed }));
  });
}

test("connections past http.maxConnections are closed, and idle ones are dropped at the headers timeout", async () => {
  const lines: string[] = [];
  const server = new StatusServer(
    { health, metrics: () => "" },
    createLogger({ write: (l) => lines.push(l) }),
  );
  const { port } = await server.listen("127.0.0.1", 0, {
    maxConnections: 2,
    headersTimeoutSeconds: 1,
    requestTimeoutSeconds: 2,
    keepAliveTimeoutSeconds: 1,
  });
  try {
    const held = [await open(port), await open(port)];
    const extra = await open(port);
    await extra.closed; // closed by the server right after accept
    assert.ok(
      lines.some((l) => l.includes("status listener at its connection limit")),
      lines.join(""),
    );
    // The two idle clients never send a request: each is dropped once its headers are overdue.
    await Promise.all(held.map((h) => h.closed));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, "ok");
  } finally {
    await server.close();
  }
});
