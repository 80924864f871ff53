// A state store in a temp folder with detections put in its outbox the way a scan does: one
// committed file per call.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../../src/state/store.ts";

let files = 0;

export function openTestStore(dir = mkdtempSync(join(tmpdir(), "tw-store-"))): StateStore {
  return StateStore.open(dir);
}

/** Commit a file whose detections are these JSON lines (each with id, ruleId, level). */
export function queue(store: StateStore, lines: readonly string[]): void {
  const w = store.beginFile(`file:///test/${++files}.json`);
  for (const body of lines) {
    const d = JSON.parse(body) as { id: string; ruleId?: string; level?: string };
    w.add({ id: d.id, ruleId: d.ruleId ?? "r", level: d.level ?? "high", body });
  }
  w.commit({ at: Date.now() });
}
