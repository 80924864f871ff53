// One audit: collect the inventory from AWS (or read a saved one), then judge it with every check.
import { readFile } from "node:fs/promises";
import { AwsClients } from "../aws/clients.ts";
import { validatorFor } from "../config/schema.ts";
import type { Config } from "../config/types.ts";
import { writeJsonAtomic } from "../util/fs.ts";
import { type Logger, silentLogger } from "../util/logger.ts";
import { judge } from "./checks/index.ts";
import { collectInventory } from "./collect.ts";
import type { Finding } from "./finding.ts";
import type { Inventory } from "./inventory.ts";
import { applyWaivers, type WaiverReport } from "./waivers.ts";

export interface RunAuditOptions {
  config: Config;
  /** Judge a saved inventory snapshot instead of calling AWS. */
  inventoryFile?: string;
  /** Write the collected snapshot here. */
  saveInventory?: string;
  /** Base-credential clients; built from config.aws when absent. */
  clients?: AwsClients;
  logger?: Logger;
  /** Abort in-flight AWS calls (daemon shutdown). */
  signal?: AbortSignal;
  /** When waivers expire against; default now. */
  now?: Date;
}

export interface AuditResult {
  findings: Finding[];
  scope: { accounts: string[]; regions: string[] };
  inventory: Inventory;
  /** The configured waivers: active or expired, and how many findings each matched. */
  waivers?: WaiverReport[];
}

/** A saved inventory could not be used; says which file and why. */
export class InventoryFileError extends Error {
  override name = "InventoryFileError";
}

export async function runAudit(opts: RunAuditOptions): Promise<AuditResult> {
  const logger = opts.logger ?? silentLogger;
  let inventory: Inventory;
  if (opts.inventoryFile) {
    inventory = await readInventory(opts.inventoryFile);
  } else {
    const clients = opts.clients ?? new AwsClients(opts.config.aws);
    try {
      inventory = await collectInventory({ config: opts.config, clients, logger, signal: opts.signal });
    } finally {
      if (!opts.clients) clients.destroy();
    }
  }
  if (opts.saveInventory) writeJsonAtomic(opts.saveInventory, inventory);
  const waived = applyWaivers(
    judge(inventory, opts.config.policy),
    opts.config.waivers ?? [],
    opts.now ?? new Date(),
  );
  return { findings: waived.findings, scope: scopeOf(inventory), inventory, waivers: waived.waivers };
}

function scopeOf(inventory: Inventory): AuditResult["scope"] {
  const regions = new Set<string>();
  for (const a of inventory.accounts) for (const r of a.regions) regions.add(r);
  return { accounts: inventory.accounts.map((a) => a.id).sort(), regions: [...regions].sort() };
}

async function readInventory(file: string): Promise<Inventory> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new InventoryFileError(`${file}: cannot read inventory: ${(err as Error).message}`);
  }
  // A saved inventory is untrusted input: validate it fully before any check reads it.
  const validate = validatorFor("inventory");
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${file}: ${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    throw new InventoryFileError(`not a trailwarden inventory:\n${problems.join("\n")}`);
  }
  return value as Inventory;
}
