// A local webhook receiver for tests: records every POST and can be told to fail for a while.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  path: string;
  body: { detection: { id: string; level: string; [k: string]: unknown } };
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Answer 503 to the next `failNext` requests. */
  failNext = 0;
  /** Answer 503 to every request while true. */
  down = false;
  attempts = 0;
  url = "";
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.attempts++;
        if (this.down || this.failNext > 0) {
          if (this.failNext > 0) this.failNext--;
          res.statusCode = 503;
          res.end("unavailable");
          return;
        }
        this.received.push({
          headers: req.headers,
          path: req.url ?? "",
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  ids(): string[] {
    return this.received.map((r) => r.body.detection.id);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
