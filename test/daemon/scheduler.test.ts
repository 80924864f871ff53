import assert from "node:assert/strict";
import { test } from "node:test";
import { Job } from "../../src/daemon/job.ts";
import { cronProblems, longestIntervalMs, Scheduler } from "../../src/daemon/scheduler.ts";
import { createLogger, silentLogger } from "../../src/util/logger.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test("a trigger while a run is in progress is skipped, logged and counted, not started twice", async () => {
  const gate = deferred();
  let started = 0;
  const skipped: string[] = [];
  const lines: string[] = [];
  const job = new Job(
    "scan",
    async () => {
      started++;
      await gate.promise;
    },
    {
      logger: createLogger({ write: (l) => lines.push(l) }),
      onSkipped: (_job, reason) => skipped.push(reason),
    },
  );
  const first = job.trigger("start");
  assert.ok(first);
  assert.equal(job.trigger("schedule"), undefined);
  assert.equal(job.trigger("schedule"), undefined);
  gate.resolve();
  await first;
  assert.equal(started, 1);
  assert.equal(job.skipped, 2);
  assert.deepEqual(skipped, ["schedule", "schedule"]);
  assert.ok(lines.some((l) => JSON.parse(l).msg.startsWith("tick skipped")));
  assert.ok(job.trigger("schedule"), "a trigger after the run finished starts a new run");
  await job.idle();
  assert.equal(started, 2);
});

test("a failing run is recorded as a failure and never rejects to the caller", async () => {
  const finished: string[] = [];
  const job = new Job(
    "audit",
    async () => {
      throw new Error("AccessDenied");
    },
    { logger: silentLogger, onFinished: (r) => finished.push(r.outcome) },
  );
  const run = await job.trigger("start");
  assert.equal(run?.outcome, "failure");
  assert.equal(run?.error, "AccessDenied");
  assert.deepEqual(finished, ["failure"]);
  assert.equal(job.lastSuccess, undefined);
});

test("abort() signals the running work and the run is recorded as aborted", async () => {
  const job = new Job(
    "audit",
    (signal) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason));
      }),
    { logger: silentLogger },
  );
  const run = job.trigger("start");
  job.abort();
  assert.equal((await run)?.outcome, "aborted");
});

test("the scheduler fires node-cron ticks into the job without overlapping a slow run", async () => {
  const gate = deferred();
  let started = 0;
  const job = new Job(
    "scan",
    async () => {
      started++;
      await gate.promise;
    },
    { logger: silentLogger },
  );
  const scheduler = new Scheduler([{ job, cron: "* * * * * *" }], "UTC");
  scheduler.start();
  const deadline = Date.now() + 10_000;
  while (job.skipped < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await scheduler.stop();
  gate.resolve();
  await job.idle();
  assert.equal(started, 1);
  assert.ok(job.skipped >= 1, "a tick came while the first run was still going");
});

test("measures a schedule's longest gap between ticks, seconds field and uneven schedules included", () => {
  assert.equal(longestIntervalMs("*/5 * * * *", "UTC"), 5 * 60_000);
  assert.equal(longestIntervalMs("*/3 * * * * *", "UTC"), 3000);
  assert.equal(longestIntervalMs("0 9,17 * * *", "Europe/Paris"), 16 * 3_600_000);
});

test("explains what is wrong with an invalid cron expression", () => {
  assert.deepEqual(cronProblems("*/5 * * * *"), []);
  assert.match(cronProblems("61 * * * *")[0], /minute/);
});
