// KMS (JSON 1.1, TrentService): DescribeKey and GetKeyRotationStatus for keys kept per account.
import type { ServiceModule } from "../protocol.ts";
import { AwsError, type World } from "../world.ts";

export interface KeyDef {
  region: string;
  id: string;
  state: "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport" | "Unavailable";
  rotation: boolean;
  manager?: "CUSTOMER" | "AWS";
}

export function kmsState(world: World, accountId: string): Map<string, KeyDef> {
  return world.serviceState(accountId, "kms", () => new Map<string, KeyDef>());
}

/** A key of `accountId`; returns its ARN. */
export function putKey(world: World, accountId: string, def: KeyDef): string {
  const arn = `arn:aws:kms:${def.region}:${accountId}:key/${def.id}`;
  kmsState(world, accountId).set(arn, def);
  return arn;
}

export const kms: ServiceModule = {
  name: "kms",
  protocol: "json",
  handle(req, world) {
    const keyId = String(req.params.KeyId ?? "");
    const keys = kmsState(world, req.accountId);
    const key = keys.get(keyId) ?? [...keys.entries()].find(([, k]) => k.id === keyId)?.[1];
    const arnOf = (k: KeyDef) => `arn:aws:kms:${k.region}:${req.accountId}:key/${k.id}`;
    if (!key || key.region !== req.region)
      throw new AwsError("NotFoundException", `Key '${keyId}' does not exist`);
    switch (req.operation) {
      case "DescribeKey":
        return {
          body: {
            KeyMetadata: {
              AWSAccountId: req.accountId,
              KeyId: key.id,
              Arn: arnOf(key),
              CreationDate: 1_767_225_600,
              Enabled: key.state === "Enabled",
              KeyState: key.state,
              KeyUsage: "ENCRYPT_DECRYPT",
              KeySpec: "SYMMETRIC_DEFAULT",
              KeyManager: key.manager ?? "CUSTOMER",
              Origin: "AWS_KMS",
              DeletionDate: key.state === "PendingDeletion" ? 1_798_761_600 : undefined,
            },
          },
        };
      case "GetKeyRotationStatus":
        if (key.state !== "Enabled")
          throw new AwsError("KMSInvalidStateException", `${arnOf(key)} is ${key.state}`);
        return { body: { KeyRotationEnabled: key.rotation } };
      default:
        throw new AwsError(
          "UnsupportedOperationException",
          `kms ${req.operation} is not implemented by the test endpoint`,
        );
    }
  },
};
