// Loading the rules a scan or the daemon will judge records with. Zero rules is a configuration
// error, never a quiet run: a scan with no rules would mark every file done without judging it.
import { ConfigError, configProblemAt } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { type LoadedRules, loadRules, type RuleSources } from "./index.ts";

/** Why no rule loaded, in one sentence. */
export function noRulesMessage(paths: readonly string[], loaded: LoadedRules): string {
  const where = paths.length ? paths.join(", ") : "(no paths)";
  const leftOut = loaded.excluded.length ? `, ${loaded.excluded.length} left out by the selection` : "";
  return (
    `no rule loaded from ${where} (${loaded.files.length} rule files found, ${loaded.problems.length} problems${leftOut}): ` +
    "refusing to run, since no record would be judged"
  );
}

/**
 * The config's rules (config.rules, with its placeholders). Throws a ConfigError located at the
 * `rules` key when no rule loads, so the caller exits 2 before reading a file or a message.
 */
export async function loadConfiguredRules(config: Config, sources?: RuleSources): Promise<LoadedRules> {
  const loaded = await loadRules(
    config.rules,
    { placeholders: config.placeholders, selection: config.ruleSelection },
    sources,
  );
  if (loaded.ruleSet.rules.length > 0) return loaded;
  const message = config.rules.length
    ? `rules: ${noRulesMessage(config.rules, loaded)}`
    : "rules: the config lists no rule files or folders; refusing to run, since no record would be judged";
  // The rule files' own problems follow, so one run shows why nothing loaded.
  const why = loaded.problems.map(({ file, line, column, message, ruleId, ruleTitle }) => {
    const who = ruleId ?? ruleTitle;
    return { file, line, column, message: who ? `[${who}] ${message}` : message };
  });
  throw new ConfigError([configProblemAt(config, ["rules"], message, true), ...why]);
}
