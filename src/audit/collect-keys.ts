// KMS keys of trails: DescribeKey (exists, state) and GetKeyRotationStatus, once per key, in the
// key's own region with the access of the account that owns it.
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import type { AwsClients } from "../aws/clients.ts";
import type { Limiter } from "../util/limit.ts";
import { attempt } from "./attempt.ts";
import type { KeyRecord } from "./inventory.ts";

export async function readKey(
  clients: AwsClients,
  accountId: string,
  keyArn: string,
  region: string,
  limit: Limiter,
  signal?: AbortSignal,
): Promise<KeyRecord> {
  const kms = clients.kms(region);
  const site = { service: "kms", accountId, region, resource: keyArn };
  const described = await attempt(
    { ...site, operation: "DescribeKey", absent: ["NotFoundException"] },
    () => limit(() => kms.send(new DescribeKeyCommand({ KeyId: keyArn }), { abortSignal: signal })),
    signal,
  );
  const record: KeyRecord = { id: keyArn, accountId };
  if (!described.ok) {
    if (described.error.code === "NotFoundException") return { ...record, missing: true };
    return { ...record, error: described.error };
  }
  const meta = described.value.KeyMetadata;
  if (meta?.KeyState) record.state = meta.KeyState;
  if (meta?.KeyManager) record.keyManager = meta.KeyManager;
  // A key pending deletion or disabled refuses the rotation call; its state already decides.
  if (record.state !== "Enabled") return record;
  const rotation = await attempt(
    { ...site, operation: "GetKeyRotationStatus" },
    () => limit(() => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }), { abortSignal: signal })),
    signal,
  );
  record.rotation = rotation.ok
    ? { value: rotation.value.KeyRotationEnabled === true }
    : { error: rotation.error };
  return record;
}
