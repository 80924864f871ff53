// The jobs' last outcomes, kept in the state store so health survives a restart.
import type { StateStore } from "../state/store.ts";
import type { Job, RunRecord } from "./job.ts";
import type { JobName } from "./types.ts";

type SerializedRun = Omit<RunRecord, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string };
interface RunHistory {
  jobs: Partial<Record<JobName, { lastRun?: SerializedRun; lastSuccess?: SerializedRun }>>;
}

const NS = "daemon";
const KEY = "runs";

export function saveRunHistory(store: StateStore, jobs: readonly Job[]): void {
  const ser = (r?: RunRecord): SerializedRun | undefined =>
    r && { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() };
  const history: RunHistory = { jobs: {} };
  for (const j of jobs) history.jobs[j.name] = { lastRun: ser(j.lastRun), lastSuccess: ser(j.lastSuccess) };
  store.kvPut(NS, KEY, history);
}

/** An aborted run is no outcome: after it, the last real outcome stands. */
export function loadRunHistory(store: StateStore, jobs: readonly Job[]): void {
  const history = store.kvGet<RunHistory>(NS, KEY);
  const de = (r?: SerializedRun): RunRecord | undefined =>
    r && { ...r, startedAt: new Date(r.startedAt), finishedAt: new Date(r.finishedAt) };
  for (const j of jobs) {
    const saved = history?.jobs?.[j.name];
    j.lastSuccess = de(saved?.lastSuccess);
    const last = de(saved?.lastRun);
    j.lastRun = last?.outcome === "aborted" ? j.lastSuccess : last;
  }
}
