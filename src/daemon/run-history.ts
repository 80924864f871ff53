// The jobs' last outcomes, kept in state.dir/daemon.json so health survives a restart.
import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../util/fs.ts";
import type { Job, RunRecord } from "./job.ts";
import type { JobName } from "./types.ts";

const RUN_HISTORY_FILE = "daemon.json";

type SerializedRun = Omit<RunRecord, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string };
interface RunHistory {
  jobs: Partial<Record<JobName, { lastRun?: SerializedRun; lastSuccess?: SerializedRun }>>;
}

export function saveRunHistory(stateDir: string, jobs: readonly Job[]): void {
  const ser = (r?: RunRecord): SerializedRun | undefined =>
    r && { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() };
  const history: RunHistory = { jobs: {} };
  for (const j of jobs) history.jobs[j.name] = { lastRun: ser(j.lastRun), lastSuccess: ser(j.lastSuccess) };
  writeJsonAtomic(join(stateDir, RUN_HISTORY_FILE), history);
}

/** An aborted run is no outcome: after it, the last real outcome stands. */
export function loadRunHistory(stateDir: string, jobs: readonly Job[]): void {
  const history = readJsonIfExists<RunHistory>(join(stateDir, RUN_HISTORY_FILE));
  const de = (r?: SerializedRun): RunRecord | undefined =>
    r && { ...r, startedAt: new Date(r.startedAt), finishedAt: new Date(r.finishedAt) };
  for (const j of jobs) {
    const saved = history?.jobs?.[j.name];
    j.lastSuccess = de(saved?.lastSuccess);
    const last = de(saved?.lastRun);
    j.lastRun = last?.outcome === "aborted" ? j.lastSuccess : last;
  }
}
