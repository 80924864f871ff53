// The daemon's config keys that the JSON Schema cannot express (cron syntax, time zone), checked
// again on the final Config (loadConfigFile checks them on the YAML; a Config can also be built in
// code), located as file:line:column like every other config problem.
import { readFileSync } from "node:fs";
import { cronProblems, isTimeZone } from "../config/checks.ts";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { locate, parseYaml, type SourceProblem } from "../config/yaml.ts";

export function daemonConfigProblems(config: Config): SourceProblem[] {
  const found: { path: string[]; message: string }[] = [];
  for (const job of ["audit", "scan"] as const) {
    for (const p of cronProblems(config.schedule[job]))
      found.push({ path: ["schedule", job], message: `schedule.${job} "${config.schedule[job]}": ${p}` });
  }
  if (!isTimeZone(config.schedule.timezone))
    found.push({
      path: ["schedule", "timezone"],
      message: `schedule.timezone "${config.schedule.timezone}" is not an IANA time zone`,
    });
  if (!found.length) return [];
  const file = config.file ?? "<defaults>";
  let where = (_path: string[]) => ({ line: 1, column: 1 });
  if (config.file) {
    const parsed = parseYaml(readFileSync(config.file, "utf8"), config.file);
    where = (path) => locate(parsed, path);
  }
  return found.map((f) => ({ file, ...where(f.path), message: f.message }));
}

export function assertDaemonConfig(config: Config): void {
  const problems = daemonConfigProblems(config);
  if (problems.length) throw new ConfigError(problems);
}
