// Account (REST-JSON): ListRegions, from the account's enabled regions. Regions AWS enables by
// default answer ENABLED_BY_DEFAULT, enabled opt-in regions ENABLED, the rest DISABLED.
import type { ServiceModule } from "../protocol.ts";
import { AwsError, DEFAULT_REGIONS } from "../world.ts";

export const OPT_IN_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
];

export const account: ServiceModule = {
  name: "account",
  protocol: "rest-json",
  global: true,
  route(method, path) {
    if (method === "POST" && path === "/listRegions") return "ListRegions";
    return `${method} ${path}`;
  },
  handle(req, world) {
    if (req.operation !== "ListRegions")
      throw new AwsError(
        "ResourceNotFoundException",
        `account ${req.operation} is not implemented by the test endpoint`,
        404,
      );
    const target = req.params.AccountId ?? req.accountId;
    if (target !== req.accountId)
      throw new AwsError(
        "AccessDeniedException",
        "Only the caller's own account is supported by the test endpoint",
        403,
      );
    const enabled = world.account(target).enabledRegions;
    const all = [...new Set([...DEFAULT_REGIONS, ...OPT_IN_REGIONS, ...enabled])].sort();
    const wanted: string[] | undefined = req.params.RegionOptStatusContains;
    const regions = all
      .map((name) => ({
        RegionName: name,
        RegionOptStatus: !enabled.has(name)
          ? "DISABLED"
          : OPT_IN_REGIONS.includes(name)
            ? "ENABLED"
            : "ENABLED_BY_DEFAULT",
      }))
      .filter((r) => !wanted?.length || wanted.includes(r.RegionOptStatus));
    const max = Math.min(Number(req.params.MaxResults ?? 20), 50);
    const start = req.params.NextToken ? Number(req.params.NextToken) : 0;
    const next = start + max < regions.length ? String(start + max) : undefined;
    return { body: { Regions: regions.slice(start, start + max), NextToken: next } };
  },
};
