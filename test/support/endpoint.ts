// Test helpers: start the endpoint and build trailwarden's AWS config and clients against it.
import { AwsClients } from "../../src/aws/clients.ts";
import type { AwsConfig } from "../../src/config/types.ts";
import { AwsTestEndpoint } from "../endpoint/server.ts";

export async function startEndpoint(opts: { seed?: number } = {}): Promise<AwsTestEndpoint> {
  const ep = new AwsTestEndpoint(opts);
  await ep.start();
  return ep;
}

export function awsConfigFor(ep: AwsTestEndpoint, overrides: Partial<AwsConfig> = {}): AwsConfig {
  return {
    region: "us-east-1",
    endpoint: ep.url,
    s3ForcePathStyle: true,
    maxAttempts: 6,
    concurrencyPerRegion: 8,
    accountConcurrency: 20,
    sessionName: "trailwarden",
    ...overrides,
  };
}

/** Clients signed with a fresh user key of `accountId` (the account is created if needed). */
export function clientsFor(
  ep: AwsTestEndpoint,
  accountId: string,
  overrides: Partial<AwsConfig> = {},
): AwsClients {
  if (!ep.world.accounts.has(accountId)) ep.world.addAccount(accountId);
  const key = ep.world.addUserKey(accountId);
  return new AwsClients(awsConfigFor(ep, overrides), async () => key);
}
