// The operations listener: /healthz for probes and /metrics for Prometheus. It only reads state
// the daemon already holds, so a scrape never triggers AWS calls.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../util/logger.ts";
import type { Health } from "./health.ts";
import { CONTENT_TYPE } from "./metrics.ts";

export interface StatusSources {
  health(): Health;
  metrics(): string;
}

export class StatusServer {
  private server?: Server;

  constructor(
    private readonly sources: StatusSources,
    private readonly logger: Logger,
  ) {}

  /** Listen; resolves with the bound address (port 0 picks a free port). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
        return;
      }
      try {
        if (path === "/healthz") {
          const h = this.sources.health();
          const body = { status: h.ok ? "ok" : "unhealthy", reasons: h.reasons, jobs: h.jobs };
          res
            .writeHead(h.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" })
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
    });
    server.keepAliveTimeout = 5000;
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
