// Entry of a scan worker thread (see scan-workers.ts): compile the rules, then judge log files.
import { serveScanJobs } from "../logs/workers/serve.ts";
import { loadRules } from "../rules/index.ts";
import { ruleFingerprint, type WorkerRules } from "./scan-workers.ts";

await serveScanJobs(async (init) => {
  const { paths, placeholders, selection, sources } = init as WorkerRules;
  const { ruleSet } = await loadRules(paths, { placeholders, selection }, sources);
  return { detector: ruleSet, fingerprint: ruleFingerprint(ruleSet.rules) };
});
