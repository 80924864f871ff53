// --format and --output, shared by every command that writes a report (audit, scan, report, and
// later verify): which format to render, where it goes, and whether colour is on.

import { once } from "node:events";
import pc from "picocolors";
import type { ReportFormat, ReportInput } from "../report/render.ts";
import type { Colors } from "../report/table.ts";
import { writeFileAtomic, writeFileAtomicChunks } from "../util/fs.ts";
import { UsageError } from "./command.ts";

export type OutputFormat = ReportFormat;
export const ALL_FORMATS: readonly OutputFormat[] = ["json", "table", "html", "ocsf"];

/** The parseArgs options every report-writing command accepts. */
export const outputOptions = {
  format: { type: "string" },
  output: { type: "string" },
} as const;

export interface OutputTarget {
  format: OutputFormat;
  /** A file path, or undefined for stdout (`--output -` is stdout too). */
  file?: string;
  /** Whether ANSI colour may be used in what goes to `file`/stdout. */
  color: boolean;
}

export interface OutputEnv {
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const processEnv = (): OutputEnv => ({ stdoutIsTTY: process.stdout.isTTY === true, env: process.env });

/**
 * The format: as given, else `table` when the report goes to a terminal and `json` when it goes to a
 * pipe or a file. Colour only on a terminal and never when NO_COLOR is set (no-color.org).
 */
export function chooseOutput(
  values: { format?: string; output?: string },
  allowed: readonly OutputFormat[],
  envInfo: OutputEnv = processEnv(),
): OutputTarget {
  const file = values.output === undefined || values.output === "-" ? undefined : values.output;
  const toTerminal = file === undefined && envInfo.stdoutIsTTY;
  let format: OutputFormat;
  if (values.format === undefined) format = toTerminal && allowed.includes("table") ? "table" : "json";
  else if ((allowed as readonly string[]).includes(values.format)) format = values.format as OutputFormat;
  else throw new UsageError(`--format ${values.format}: expected one of ${allowed.join(", ")}`);
  return { format, file, color: toTerminal && noColorUnset(envInfo.env) };
}

/** NO_COLOR set to anything but the empty string turns colour off. */
export function noColorUnset(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === "";
}

export function colorsFor(target: OutputTarget): Colors {
  return pc.createColors(target.color);
}

/** Write the rendered report: atomically to a file, or to stdout. */
export function emit(target: OutputTarget, text: string): void {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  if (target.file) writeFileAtomic(target.file, body);
  else process.stdout.write(body);
}

/** emit() for a document produced in pieces (it ends with a newline); never held whole. */
export async function emitChunks(target: OutputTarget, chunks: Iterable<string | Uint8Array>): Promise<void> {
  if (target.file) return writeFileAtomicChunks(target.file, chunks);
  for (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
}

/**
 * Render the reports in the chosen format and write them where they go. The renderers are loaded
 * here, once there is something to render, so they add nothing to a command's start-up (a SIGINT
 * handler installed late is a stack trace instead of a clean exit).
 */
export async function renderReport(target: OutputTarget, input: ReportInput): Promise<void> {
  const { renderAs } = await import("../report/render.ts");
  emit(target, renderAs(target.format, input, { colors: colorsFor(target) }));
}
