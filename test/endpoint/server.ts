// A local AWS-compatible endpoint for tests and benchmarks. It speaks the wire protocols the real
// SDK clients use (JSON 1.0/1.1, query, REST-XML, REST-JSON), maps credentials to accounts
// (AssumeRole keys map to the role's account), keeps per-account state, records every call and
// injects faults. It is test support, not product code.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Faults } from "./faults.ts";
import type { EndpointRequest, Protocol, Reply, ServiceModule } from "./protocol.ts";
import { services as builtinServices } from "./services/index.ts";
import { AwsError, World } from "./world.ts";
import { escapeXml, toXml, type XmlValue } from "./xml.ts";

export interface CallRecord {
  service: string;
  operation: string;
  accountId: string;
  region: string;
  status: number;
  code?: string;
  at: number;
}

export class AwsTestEndpoint {
  readonly world = new World();
  readonly faults: Faults;
  readonly calls: CallRecord[] = [];
  private server?: Server;
  private readonly services = new Map<string, ServiceModule>();
  url = "";

  constructor(opts: { seed?: number; services?: ServiceModule[] } = {}) {
    this.faults = new Faults(opts.seed);
    for (const s of [...builtinServices, ...(opts.services ?? [])]) this.services.set(s.name, s);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    const { port: p } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${p}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  /** Number of recorded calls matching the filter. */
  count(filter: Partial<Pick<CallRecord, "service" | "operation" | "accountId" | "region">> = {}): number {
    return this.calls.filter((c) => Object.entries(filter).every(([k, v]) => c[k as keyof CallRecord] === v))
      .length;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://localhost");
    const auth = parseAuthorization(String(req.headers.authorization ?? ""));
    const target = String(req.headers["x-amz-target"] ?? "");
    // S3 Control signs as "s3"; its paths tell it apart.
    const serviceName =
      auth?.service === "s3" && url.pathname.startsWith("/v20180820/") ? "s3control" : (auth?.service ?? "");
    const module = this.services.get(serviceName);
    const protocol: Protocol = module?.protocol ?? (target ? "json" : "query");
    let record: CallRecord | undefined;
    try {
      if (!module || !auth)
        throw new AwsError("UnknownService", `no service for ${auth?.service ?? "unsigned request"}`);
      const identity = this.world.credentials.get(auth.accessKeyId);
      if (!identity) {
        const code =
          protocol === "rest-xml"
            ? "InvalidAccessKeyId"
            : protocol === "query"
              ? "InvalidClientTokenId"
              : "UnrecognizedClientException";
        throw new AwsError(code, "The security token included in the request is invalid.", 403);
      }
      let params: unknown = {};
      let operation: string;
      if (protocol === "json") {
        operation = target.split(".").pop() ?? "";
        params = body.length ? JSON.parse(body.toString("utf8")) : {};
      } else if (protocol === "query") {
        const form = new URLSearchParams(body.toString("utf8"));
        params = Object.fromEntries(form);
        operation = form.get("Action") ?? "";
      } else {
        operation = module.route?.(req.method ?? "GET", url.pathname, url.searchParams, req.headers) ?? "";
        if (protocol === "rest-json" && body.length) params = JSON.parse(body.toString("utf8"));
      }
      record = {
        service: module.name,
        operation,
        accountId: identity.accountId,
        region: auth.region,
        status: 200,
        at: Date.now(),
      };
      this.calls.push(record);
      const faultTarget = {
        service: module.name,
        operation,
        accountId: identity.accountId,
        region: auth.region,
        protocol,
      };
      const delay = this.faults.delayFor(faultTarget);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fault = this.faults.errorFor(faultTarget);
      if (fault) throw fault;
      if (!module.global && !this.world.account(identity.accountId).enabledRegions.has(auth.region)) {
        throw new AwsError(
          protocol === "query" ? "InvalidClientTokenId" : "UnrecognizedClientException",
          "The security token included in the request is invalid.",
          403,
        );
      }
      const request: EndpointRequest = {
        service: module.name,
        region: auth.region,
        accountId: identity.accountId,
        identity,
        protocol,
        operation,
        params,
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      const reply = await module.handle(request, this.world);
      send(res, protocol, module, operation, reply);
    } catch (err) {
      const e =
        err instanceof AwsError
          ? err
          : new AwsError("InternalFailure", String((err as Error)?.stack ?? err), 500);
      if (record) {
        record.status = e.status;
        record.code = e.code;
      }
      sendError(res, protocol, e);
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseAuthorization(h: string): { accessKeyId: string; region: string; service: string } | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(h);
  if (!m) return undefined;
  return { accessKeyId: m[1], region: m[2], service: m[3] };
}

function send(
  res: ServerResponse,
  protocol: Protocol,
  module: ServiceModule,
  operation: string,
  reply: Reply,
): void {
  res.statusCode = reply.status ?? 200;
  res.setHeader("x-amzn-requestid", randomUUID());
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.raw !== undefined) {
    res.end(reply.raw);
    return;
  }
  if (protocol === "json" || protocol === "rest-json") {
    res.setHeader("content-type", protocol === "json" ? "application/x-amz-json-1.1" : "application/json");
    res.end(JSON.stringify(reply.body ?? {}));
    return;
  }
  if (protocol === "query") {
    res.setHeader("content-type", "text/xml");
    const result = toXml(`${operation}Result`, (reply.body ?? {}) as XmlValue) || `<${operation}Result/>`;
    res.end(
      `<${operation}Response xmlns="${module.xmlns ?? ""}">${result}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`,
    );
    return;
  }
  res.end();
}

function sendError(res: ServerResponse, protocol: Protocol, e: AwsError): void {
  res.statusCode = e.status;
  const requestId = randomUUID();
  res.setHeader("x-amzn-requestid", requestId);
  if (protocol === "json" || protocol === "rest-json") {
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.setHeader("x-amzn-errortype", e.code);
    res.setHeader("x-amzn-query-error", `${e.code};Sender`);
    res.end(JSON.stringify({ __type: e.code, message: e.message }));
  } else if (protocol === "query") {
    res.setHeader("content-type", "text/xml");
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  } else {
    res.setHeader("content-type", "application/xml");
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
  }
}
