// STS (query protocol): GetCallerIdentity, AssumeRole.
import type { ServiceModule } from "../protocol.ts";
import { AwsError } from "../world.ts";

export const sts: ServiceModule = {
  name: "sts",
  protocol: "query",
  xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
  global: true,
  handle(req, world) {
    switch (req.operation) {
      case "GetCallerIdentity":
        return { body: { Arn: req.identity.arn, UserId: req.identity.userId, Account: req.accountId } };
      case "AssumeRole": {
        const roleArn: string = req.params.RoleArn ?? "";
        const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
        if (!m) throw new AwsError("ValidationError", `invalid RoleArn ${roleArn}`);
        const [, accountId, roleName] = m;
        const target = world.accounts.get(accountId);
        const role = target?.roles.get(roleName.split("/").pop()!);
        const trusted =
          role && (role.trustedAccounts.length === 0 || role.trustedAccounts.includes(req.accountId));
        if (!trusted) {
          throw new AwsError(
            "AccessDenied",
            `User: ${req.identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            403,
          );
        }
        const keys = world.issueRoleKeys(roleArn, req.params.RoleSessionName ?? "session");
        const seconds = Number(req.params.DurationSeconds ?? 3600);
        return {
          body: {
            Credentials: {
              AccessKeyId: keys.accessKeyId,
              SecretAccessKey: keys.secretAccessKey,
              SessionToken: keys.sessionToken,
              Expiration: new Date(Date.now() + seconds * 1000).toISOString(),
            },
            AssumedRoleUser: { Arn: keys.arn, AssumedRoleId: keys.userId },
          },
        };
      }
      default:
        throw new AwsError("InvalidAction", `sts ${req.operation} is not implemented by the test endpoint`);
    }
  },
};
