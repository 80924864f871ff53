// A placeholders file (`--placeholders FILE` of `rules validate|test|list` and `scan --logs`): a YAML
// map `name: value` or `name: [values]`, the same shape as the config's `placeholders`. Problems are
// located like config errors.
import { readFileSync } from "node:fs";
import { ConfigError } from "./load.ts";
import { locate, parseYaml, type SourceProblem } from "./yaml.ts";

export function loadPlaceholdersFile(file: string): Record<string, string[]> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, line: 1, column: 1, message: `cannot read: ${(err as Error).message}` }]);
  }
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  const value = parsed.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError([
      { file, ...locate(parsed, []), message: "placeholders must be a map of name: values" },
    ]);
  }
  const out: Record<string, string[]> = {};
  const problems: SourceProblem[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || !list.every((x) => typeof x === "string")) {
      problems.push({
        file,
        ...locate(parsed, [name]),
        message: `placeholder "${name}" must be a string or a list of strings`,
      });
      continue;
    }
    out[name] = list as string[];
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}
