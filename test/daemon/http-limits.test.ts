// The status listener's connection limit and timeouts: connections past the limit are closed on
// accept, and a client that never sends its headers is dropped after headersTimeoutSeconds.
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { StatusServer } from "../../src/daemon/http.ts";
import { createLogger } from "../../src/util/logger.ts";
import { waitUntil } from "../support/wait.ts";

const health = () => ({ ok: true, reasons: [], jobs: {} });

/** A client connection, once connected or (when the server closed it at once) closed. */
function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("connect", () => resolve({ socket, closed }));
    void closed.then(() => resolve({ socket, closed }));
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
  const sockets: Socket[] = [];
  try {
    for (let k = 0; k < 3; k++) sockets.push((await open(port)).socket);
    await waitUntil(
      () => lines.some((l) => l.includes("status listener at its connection limit")),
      "a connection over the limit closed and logged",
    );
    // None of the clients sends a request, and none closes: the server frees their slots once they
    // have been silent for the headers timeout, so a probe gets through again.
    await waitUntil(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(1000),
      }).catch(() => undefined);
      return res?.status === 200 && ((await res.json()) as { status: string }).status === "ok";
    }, "/healthz answering while the idle clients still hold their sockets");
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.close();
  }
});
