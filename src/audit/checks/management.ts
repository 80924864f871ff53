// Which management events a trail records, from its event selectors (classic or advanced). Pure.
import type {
  AdvancedEventSelector,
  ClassicEventSelector,
  Inventory,
  TrailRecord,
  TrailSelectors,
} from "../inventory.ts";
import { describeError, ownerView } from "./support.ts";

export type ManagementCoverage =
  | {
      known: true;
      read: boolean;
      write: boolean;
      /** Event sources left out (ExcludeManagementEventSources, or eventSource NotEquals). */
      excludedSources: string[];
      /** Management selectors that only match some sources, so do not count as coverage. */
      restricted: string[];
    }
  | { known: false; reason: string };

const ALL: ManagementCoverage = { known: true, read: true, write: true, excludedSources: [], restricted: [] };

/**
 * The trail's management-event coverage. An organization trail seen from a member has selectors
 * only its owner can read: they are taken from the owner's view when that account was audited.
 */
export function managementCoverage(trail: TrailRecord, inventory: Inventory): ManagementCoverage {
  if (!trail.hasCustomEventSelectors) return ALL;
  const selectors = trail.selectors ?? ownerView(trail, inventory)?.selectors;
  if (selectors) return fromSelectors(selectors);
  if (trail.selectorsError)
    return {
      known: false,
      reason: `its event selectors are unknown: ${describeError(trail.selectorsError)}`,
    };
  return {
    known: false,
    reason: `it has custom event selectors that only its owner account ${trail.ownerAccountId} can read, and that account was not audited`,
  };
}

function fromSelectors(s: TrailSelectors): ManagementCoverage {
  const acc = { read: false, write: false, excluded: new Set<string>(), restricted: [] as string[] };
  for (const c of s.eventSelectors ?? []) addClassic(acc, c);
  for (const a of s.advancedEventSelectors ?? []) addAdvanced(acc, a);
  return {
    known: true,
    read: acc.read,
    write: acc.write,
    excludedSources: [...acc.excluded].sort(),
    restricted: acc.restricted,
  };
}

type Acc = { read: boolean; write: boolean; excluded: Set<string>; restricted: string[] };

function addClassic(acc: Acc, c: ClassicEventSelector): void {
  if (c.includeManagementEvents === false) return;
  const rw = c.readWriteType ?? "All";
  if (rw !== "WriteOnly") acc.read = true;
  if (rw !== "ReadOnly") acc.write = true;
  for (const s of c.excludeManagementEventSources ?? []) acc.excluded.add(s);
}

function addAdvanced(acc: Acc, a: AdvancedEventSelector): void {
  const field = (name: string) => a.fieldSelectors.find((f) => f.field === name);
  const category = field("eventCategory");
  if (!category?.equals?.includes("Management")) return;
  const source = field("eventSource");
  if (
    source &&
    (source.equals || source.startsWith || source.endsWith || source.notStartsWith || source.notEndsWith)
  ) {
    acc.restricted.push(`${a.name ?? "advanced selector"} matches only some event sources`);
    return;
  }
  const readOnly = field("readOnly");
  const allows = (value: "true" | "false") =>
    readOnly?.equals?.length ? readOnly.equals.includes(value) : !readOnly?.notEquals?.includes(value);
  if (allows("true")) acc.read = true;
  if (allows("false")) acc.write = true;
  for (const s of source?.notEquals ?? []) acc.excluded.add(s);
}

/** "read and write", "read-only", "write-only" or "none". */
export function coverageWords(c: { read: boolean; write: boolean }): string {
  if (c.read && c.write) return "read and write";
  if (c.read) return "read-only";
  if (c.write) return "write-only";
  return "no";
}
