// trail-s3-data-events (only with policy.requireS3DataEvents): in each account a logging
// multi-region trail records S3 object-level write and read events for every bucket (CIS 4.8, 4.9).
import { controlsFor } from "../compliance/catalog.ts";
import type { Check, Finding } from "../finding.ts";
import type {
  AdvancedEventSelector,
  ClassicEventSelector,
  TrailRecord,
  TrailSelectors,
} from "../inventory.ts";
import { accountErrorMessage, describeError, finding, ownerView, statusOf, trailLabel } from "./support.ts";

type Coverage = { read: boolean; write: boolean };

const ALL_BUCKETS = new Set(["arn:aws:s3", "arn:aws:s3:::", "arn:aws:s3:::*"]);

function classic(s: ClassicEventSelector): Coverage {
  const all = (s.dataResources ?? []).some(
    (d) => d.type === "AWS::S3::Object" && d.values.some((v) => ALL_BUCKETS.has(v)),
  );
  if (!all) return { read: false, write: false };
  const rw = s.readWriteType ?? "All";
  return { read: rw !== "WriteOnly", write: rw !== "ReadOnly" };
}

function advanced(s: AdvancedEventSelector): Coverage {
  const none = { read: false, write: false };
  const field = (name: string) => s.fieldSelectors.find((f) => f.field === name);
  const eq = (name: string, value: string) =>
    field(name)?.equals?.length === 1 && field(name)?.equals?.[0] === value;
  if (!eq("eventCategory", "Data") || !eq("resources.type", "AWS::S3::Object")) return none;
  for (const f of s.fieldSelectors) {
    if (f.field === "eventCategory" || f.field === "resources.type" || f.field === "readOnly") continue;
    // A prefix that still covers every bucket does not narrow; anything else does.
    const allPrefix =
      f.field === "resources.ARN" &&
      f.startsWith?.every((p) => ALL_BUCKETS.has(p)) &&
      Object.keys(f).length === 2;
    if (!allPrefix) return none;
  }
  const ro = field("readOnly")?.equals;
  if (!ro?.length) return { read: true, write: true };
  return { read: ro.includes("true"), write: ro.includes("false") };
}

function coverage(sel: TrailSelectors): Coverage {
  const parts = [
    ...(sel.eventSelectors ?? []).map(classic),
    ...(sel.advancedEventSelectors ?? []).map(advanced),
  ];
  return { read: parts.some((p) => p.read), write: parts.some((p) => p.write) };
}

export const trailS3DataEvents: Check = {
  id: "trail-s3-data-events",
  title: "S3 object-level read and write events are recorded for every bucket",
  severity: "medium",
  compliance: controlsFor("trail-s3-data-events"),
  remediation:
    'Add data event selectors for AWS::S3::Object on all buckets (read and write) to a multi-region trail: aws cloudtrail put-event-selectors --trail-name <trail> --advanced-event-selectors \'[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]\'.',
  run(inventory, policy) {
    if (!policy.requireS3DataEvents) return [];
    const out: Finding[] = [];
    for (const account of inventory.accounts) {
      const base = { account, resource: account.id };
      if (account.error) {
        out.push(
          finding(trailS3DataEvents, {
            ...base,
            status: "ERROR",
            message: accountErrorMessage(account),
            error: account.error,
          }),
        );
        continue;
      }
      const got: Coverage = { read: false, write: false };
      const by: string[] = [];
      const unknown: { text: string; error?: TrailRecord["selectorsError"] }[] = [];
      for (const t of account.trails) {
        if (!t.isMultiRegion || !t.hasCustomEventSelectors) continue;
        const st = statusOf(t, inventory);
        if (st.status?.isLogging === false) continue;
        const view = t.selectors ? t : ownerView(t, inventory);
        const sel = view?.selectors;
        const selErr = t.selectorsError ?? view?.selectorsError;
        if (!sel || !st.status) {
          const why = !st.status
            ? st.reason
            : selErr
              ? describeError(selErr)
              : `its selectors are read only by its owner ${t.ownerAccountId}`;
          unknown.push({ text: `${trailLabel(t)}: ${why}`, error: selErr ?? st.error });
          continue;
        }
        const c = coverage(sel);
        if (c.read || c.write)
          by.push(
            `${trailLabel(t)} (${[c.write && "write", c.read && "read"].filter(Boolean).join(" and ")})`,
          );
        got.read ||= c.read;
        got.write ||= c.write;
      }
      const missing = [!got.write && "write", !got.read && "read"].filter(Boolean).join(" and ");
      if (!missing)
        out.push(
          finding(trailS3DataEvents, {
            ...base,
            status: "PASS",
            message: `S3 object-level read and write events of every bucket are recorded by ${by.join(", ")}`,
          }),
        );
      else if (unknown.length)
        out.push(
          finding(trailS3DataEvents, {
            ...base,
            status: "ERROR",
            message: `whether S3 object-level ${missing} events are recorded is unknown: ${unknown.map((u) => u.text).join("; ")}`,
            error: unknown[0].error,
          }),
        );
      else
        out.push(
          finding(trailS3DataEvents, {
            ...base,
            status: "FAIL",
            // Only the controls of the missing kinds fail: write events (4.8), read events (4.9).
            compliance: controlsFor("trail-s3-data-events", [
              ...(got.write ? [] : ["4.8"]),
              ...(got.read ? [] : ["4.9"]),
            ]),
            message: `no logging multi-region trail records S3 object-level ${missing} events for all buckets${by.length ? ` (only ${by.join(", ")})` : ""}`,
          }),
        );
    }
    return out;
  },
};
