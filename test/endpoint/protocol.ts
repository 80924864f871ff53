// Types shared by the endpoint server and its service modules.
import type { IncomingHttpHeaders } from "node:http";
import type { Identity, World } from "./world.ts";
import type { XmlObject } from "./xml.ts";

export type Protocol = "json" | "query" | "rest-xml" | "rest-json";

export interface EndpointRequest {
  service: string;
  region: string;
  accountId: string;
  identity: Identity;
  protocol: Protocol;
  operation: string;
  /** JSON body (json, rest-json) or form fields (query). */
  // biome-ignore lint/suspicious/noExplicitAny: requests are untyped wire data
  params: any;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status?: number;
  /** json / rest-json: the JSON body; query: the <OpResult> content. */
  body?: unknown;
  /** rest-xml or anything pre-serialized. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface ServiceModule {
  /** The SigV4 signing name (credential scope service), e.g. "cloudtrail". */
  name: string;
  protocol: Protocol;
  /** XML namespace of query-protocol responses. */
  xmlns?: string;
  /** Regional services check the region is enabled for the caller's account. */
  global?: boolean;
  /** For REST protocols: the operation name of a request. */
  route?(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): string;
  handle(req: EndpointRequest, world: World): Reply | Promise<Reply>;
}

export type QueryResult = XmlObject;
