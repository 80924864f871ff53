// The operations listener: /healthz for probes and /metrics for Prometheus. It only reads state
// the daemon already holds, so a scrape never triggers AWS calls.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Logger, scrub } from "../util/logger.ts";
import type { Health } from "./health.ts";
import { CONTENT_TYPE } from "./metrics.ts";

export interface StatusSources {
  health(): Health;
  metrics(): string;
}

/** Limits of the listener (config `http.*`); a probe or a scrape needs one short request. */
export interface StatusLimits {
  maxConnections: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
}

export const DEFAULT_STATUS_LIMITS: StatusLimits = {
  maxConnections: 64,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 5,
};

export class StatusServer {
  private server?: Server;

  constructor(
    private readonly sources: StatusSources,
    private readonly logger: Logger,
  ) {}

  /** Listen; resolves with the bound address (port 0 picks a free port). */
  async listen(
    host: string,
    port: number,
    limits: StatusLimits = DEFAULT_STATUS_LIMITS,
  ): Promise<{ host: string; port: number }> {
    const headersTimeout = limits.headersTimeoutSeconds * 1000;
    const server = createServer(
      {
        // Node checks both timeouts on this interval (30 s by default): check often enough that a
        // client holding a half-sent request is dropped close to its deadline.
        connectionsCheckingInterval: Math.min(1000, headersTimeout),
        headersTimeout: Math.min(headersTimeout, limits.requestTimeoutSeconds * 1000),
        requestTimeout: limits.requestTimeoutSeconds * 1000,
        keepAliveTimeout: limits.keepAliveTimeoutSeconds * 1000,
      },
      (req, res) => {
        const path = (req.url ?? "/").split("?")[0];
        if (req.method !== "GET" && req.method !== "HEAD") {
          res
            .writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" })
            .end("method not allowed\n");
          return;
        }
        try {
          if (path === "/healthz") {
            const h = this.sources.health();
            const degraded = h.degraded ?? [];
            const status = !h.ok ? "unhealthy" : degraded.length ? "degraded" : "ok";
            // Reasons quote error messages: the same URL and secret scrubbing as the log.
            const body = {
              status,
              reasons: h.reasons.map(scrub),
              degraded: degraded.map(scrub),
              jobs: h.jobs,
            };
            res
              .writeHead(h.ok ? 200 : 503, {
                "content-type": "application/json",
                "cache-control": "no-store",
              })
              .end(`${JSON.stringify(body)}\n`);
          } else if (path === "/metrics") {
            res.writeHead(200, { "content-type": CONTENT_TYPE }).end(this.sources.metrics());
          } else {
            res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
          }
        } catch (err) {
          this.logger.error("status request failed", { path, error: (err as Error).message });
          res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
        }
      },
    );
    // Connections past the limit are closed as soon as they are accepted: idle clients cannot hold
    // the file descriptors the jobs need for log files and AWS calls.
    server.maxConnections = limits.maxConnections;
    // Node's headersTimeout only runs once a request has begun: a client that connects and says
    // nothing would hold its slot for ever. Its first request must arrive within the headers timeout.
    const silent = new WeakMap<Socket, NodeJS.Timeout>();
    server.on("connection", (socket: Socket) => {
      const timer = setTimeout(() => socket.destroy(), headersTimeout);
      timer.unref();
      silent.set(socket, timer);
      socket.once("close", () => clearTimeout(timer));
    });
    server.on("request", (req) => clearTimeout(silent.get(req.socket)));
    let dropped = 0;
    server.on("drop", () => {
      if (dropped++ % 1000 === 0)
        this.logger.warn("status listener at its connection limit; connections closed", {
          maxConnections: limits.maxConnections,
          dropped,
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
