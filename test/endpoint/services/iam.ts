// IAM (query protocol, global): GetAccountAuthorizationDetails over the account's users, groups,
// roles and managed policies, paged by MaxItems/Marker, with policy documents URL-encoded as IAM
// sends them.
import type { ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";
import type { XmlObject } from "../xml.ts";

type Doc = object;

export interface IamEntityDef {
  name: string;
  path?: string;
  inline?: Record<string, Doc>;
  attached?: string[];
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  /** Users only. */
  groups?: string[];
}

export interface IamState {
  users: IamEntityDef[];
  groups: IamEntityDef[];
  roles: IamEntityDef[];
  /** Managed policies by ARN (customer managed of this account, or AWS managed in use). */
  policies: Map<string, Doc>;
}

export function iamState(world: World, accountId: string): IamState {
  return world.serviceState(accountId, "iam", () => ({
    users: [],
    groups: [],
    roles: [],
    policies: new Map(),
  }));
}

const encode = (d: Doc) => encodeURIComponent(JSON.stringify(d));
const members = <T>(list: T[]) => ({ member: list });

function entityXml(accountId: string, kind: "user" | "group" | "role", e: IamEntityDef): XmlObject {
  const Kind = kind === "user" ? "User" : kind === "group" ? "Group" : "Role";
  const path = e.path ?? "/";
  const out: XmlObject = {
    Path: path,
    [`${Kind}Name`]: e.name,
    [`${Kind}Id`]: `AID${Buffer.from(e.name).toString("hex").slice(0, 16).toUpperCase()}`,
    Arn: `arn:aws:iam::${accountId}:${kind}${path}${e.name}`,
    CreateDate: "2026-01-01T00:00:00Z",
    [`${Kind}PolicyList`]: members(
      Object.entries(e.inline ?? {}).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: encode(d) })),
    ),
    AttachedManagedPolicies: members(
      (e.attached ?? []).map((arn) => ({ PolicyName: arn.split("/").pop()!, PolicyArn: arn })),
    ),
  };
  if (kind === "user") out.GroupList = members(e.groups ?? []);
  if (kind === "role")
    out.AssumeRolePolicyDocument = encode({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "sts:AssumeRole" },
      ],
    });
  if (kind !== "group") {
    out.Tags = members(Object.entries(e.tags ?? {}).map(([Key, Value]) => ({ Key, Value })));
    if (e.permissionsBoundary)
      out.PermissionsBoundary = {
        PermissionsBoundaryType: "PermissionsBoundaryPolicy",
        PermissionsBoundaryArn: e.permissionsBoundary,
      };
  }
  return out;
}

export const iam: ServiceModule = {
  name: "iam",
  protocol: "query",
  xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
  global: true,
  handle(req, world) {
    if (req.operation !== "GetAccountAuthorizationDetails")
      throw new AwsError("InvalidAction", `iam ${req.operation} is not implemented by the test endpoint`);
    const state = iamState(world, req.accountId);
    const items: { kind: "user" | "group" | "role" | "policy"; value: XmlObject }[] = [
      ...state.users.map((u) => ({ kind: "user" as const, value: entityXml(req.accountId, "user", u) })),
      ...state.groups.map((g) => ({ kind: "group" as const, value: entityXml(req.accountId, "group", g) })),
      ...state.roles.map((r) => ({ kind: "role" as const, value: entityXml(req.accountId, "role", r) })),
      ...[...state.policies].map(([arn, d]) => ({
        kind: "policy" as const,
        value: {
          PolicyName: arn.split("/").pop()!,
          Arn: arn,
          Path: "/",
          DefaultVersionId: "v2",
          AttachmentCount: 1,
          IsAttachable: true,
          PolicyVersionList: members([
            // An older version that is not the default must not count.
            {
              Document: encode({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
              }),
              VersionId: "v1",
              IsDefaultVersion: false,
            },
            { Document: encode(d), VersionId: "v2", IsDefaultVersion: true },
          ]),
        },
      })),
    ];
    const max = Math.min(Number(req.params.MaxItems ?? 100), 1000);
    const start = req.params.Marker ? Number(Buffer.from(req.params.Marker, "base64").toString()) : 0;
    const page = items.slice(start, start + max);
    const truncated = start + max < items.length;
    const of = (k: string) => members(page.filter((i) => i.kind === k).map((i) => i.value));
    return {
      body: {
        UserDetailList: of("user"),
        GroupDetailList: of("group"),
        RoleDetailList: of("role"),
        Policies: of("policy"),
        IsTruncated: truncated,
        Marker: truncated ? Buffer.from(String(start + max)).toString("base64") : undefined,
      },
    };
  },
};
