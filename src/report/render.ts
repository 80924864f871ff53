// One entry point from "these report documents, this format" to text. Pure: the CLI picks the
// format and the stream (see cli/format.ts); `verify` and the daemon can call it the same way.
import type { AuditReport } from "./audit-report.ts";
import { renderHtmlReport } from "./html.ts";
import { toOcsf } from "./ocsf.ts";
import type { ScanReport } from "./scan-report.ts";
import { type Colors, renderAuditTable, renderScanTable } from "./table.ts";

export type ReportFormat = "json" | "table" | "html" | "ocsf";

export interface ReportInput {
  audits?: AuditReport[];
  scans?: ScanReport[];
  /** An earlier audit: the HTML report shows what changed since. */
  baseline?: AuditReport;
}

export interface RenderOptions {
  colors: Colors;
  /** Clock for the generated-at stamp of HTML and OCSF output (tests). */
  now?: Date;
}

export function renderAs(format: ReportFormat, input: ReportInput, opts: RenderOptions): string {
  const audits = input.audits ?? [];
  const scans = input.scans ?? [];
  switch (format) {
    case "json": {
      // One document prints as it is (today's JSON, unchanged); several as an array.
      const docs: unknown[] = [...audits, ...scans];
      return `${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`;
    }
    case "table":
      return [
        ...audits.map((a) => renderAuditTable(a, opts.colors)),
        ...scans.map((s) => renderScanTable(s, opts.colors)),
      ].join("\n");
    case "html":
      return renderHtmlReport({ audits, scans, baseline: input.baseline }, opts.now);
    case "ocsf":
      return `${JSON.stringify(toOcsf({ audits, scans }, opts.now), null, 2)}\n`;
  }
}
