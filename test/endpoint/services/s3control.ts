// S3 Control (REST-XML, signed as "s3", paths under /v20180820/): the account-level Block Public
// Access that trailwarden reads. The server tells it from S3 by its path.
import type { EndpointRequest, Reply, ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";
import { pabXml } from "./s3.ts";

const CONTROL_NS = "http://awss3control.amazonaws.com/doc/2018-08-20/";

/** S3 Control (signed as s3, path /v20180820/...): the account's Block Public Access. */
function getPublicAccessBlock(req: EndpointRequest, world: World): Reply {
  const accountId = String(req.headers["x-amz-account-id"] ?? "");
  if (accountId !== req.accountId) throw new AwsError("AccessDenied", "Access Denied", 403);
  const c = world.accountPublicAccessBlocks.get(accountId);
  if (!c)
    throw new AwsError(
      "NoSuchPublicAccessBlockConfiguration",
      "The public access block configuration was not found",
      404,
    );
  return pabXml("PublicAccessBlockConfiguration", c, CONTROL_NS);
}

export const s3control: ServiceModule = {
  name: "s3control",
  protocol: "rest-xml",
  global: true,
  route(method, path) {
    if (path === "/v20180820/configuration/publicAccessBlock")
      return method === "GET" ? "GetPublicAccessBlock" : `${method}PublicAccessBlock`;
    return `${method}${path}`;
  },
  handle(req, world) {
    if (req.operation === "GetPublicAccessBlock") return getPublicAccessBlock(req, world);
    throw new AwsError(
      "NotImplemented",
      `s3control ${req.operation} is not implemented by the test endpoint`,
      501,
    );
  },
};
