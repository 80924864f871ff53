// The daemon's metrics: one registry, named series, and the AWS observer that feeds the AWS ones.
import { type AwsCallEvent, type AwsObserver, isThrottlingCode } from "../aws/clients.ts";
import { version } from "../version.ts";
import { Registry } from "./metrics.ts";
import type { DetectionView, FindingView, JobName, ScanSummaryView } from "./types.ts";

export class DaemonMetrics implements AwsObserver {
  readonly registry = new Registry();
  readonly buildInfo = this.registry.gauge("trailwarden_build_info", "Always 1; the version as a label.", [
    "version",
  ]);
  readonly runs = this.registry.counter(
    "trailwarden_job_runs_total",
    "Job runs by job and outcome (success, failure, aborted).",
    ["job", "outcome"],
  );
  readonly duration = this.registry.histogram(
    "trailwarden_job_duration_seconds",
    "Wall time of job runs.",
    ["job"],
    [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  );
  readonly lastSuccess = this.registry.gauge(
    "trailwarden_job_last_success_timestamp_seconds",
    "Unix time at which the job last finished successfully.",
    ["job"],
  );
  readonly skippedTicks = this.registry.counter(
    "trailwarden_job_skipped_ticks_total",
    "Scheduled ticks skipped because the previous run of the job was still going.",
    ["job"],
  );
  readonly findings = this.registry.gauge(
    "trailwarden_audit_findings",
    "Findings of the latest audit by check and status.",
    ["check", "status"],
  );
  readonly auditEvents = this.registry.counter(
    "trailwarden_audit_status_changes_total",
    "Finding status changes written to events.jsonl, by kind.",
    ["kind"],
  );
  readonly records = this.registry.counter(
    "trailwarden_scan_records_total",
    "CloudTrail records evaluated by scans.",
  );
  readonly scanErrors = this.registry.counter(
    "trailwarden_scan_errors_total",
    "Errors reported by scans (bad files, failed downloads, bad messages).",
  );
  readonly detections = this.registry.counter(
    "trailwarden_detections_total",
    "Detections appended to detections.jsonl, by rule id and level.",
    ["rule", "level"],
  );
  readonly integrityFiles = this.registry.counter(
    "trailwarden_integrity_verified_log_files_total",
    "Log files whose SHA-256 matched the digest that lists them (in-stream log integrity).",
  );
  readonly integrityDigests = this.registry.counter(
    "trailwarden_integrity_verified_digests_total",
    "Digest files whose signature and chain link verified (in-stream log integrity).",
  );
  readonly integrityProblems = this.registry.counter(
    "trailwarden_integrity_problems_total",
    "Log integrity problems found in stream, by kind (digest-invalid, digest-missing, log-modified, log-missing, log-unlisted, gap).",
    ["kind"],
  );
  readonly correlationDropped = this.registry.counter(
    "trailwarden_correlation_dropped_events_total",
    "Events a correlation did not count, by reason (late: behind the watermark; ungrouped: no eventTime or group-by value; group_cap: logs.correlation.maxGroups live groups; truncated: a group over its event cap).",
    ["reason"],
  );
  readonly correlationGroups = this.registry.gauge(
    "trailwarden_correlation_live_groups",
    "Correlation groups live after the latest scan (at most logs.correlation.maxGroups).",
  );
  readonly awsCalls = this.registry.counter(
    "trailwarden_aws_calls_total",
    "AWS API calls (retries not counted separately), by service.",
    ["service"],
  );
  readonly awsErrors = this.registry.counter(
    "trailwarden_aws_errors_total",
    "AWS API calls that failed after their retries, by service and error code.",
    ["service", "code"],
  );
  readonly awsRetries = this.registry.counter(
    "trailwarden_aws_retries_total",
    "AWS API attempts that failed and were retried, by service and error code.",
    ["service", "code"],
  );
  readonly throttlingRetries = this.registry.counter(
    "trailwarden_aws_throttling_retries_total",
    "AWS API attempts that were throttled and retried with backoff, by service.",
    ["service"],
  );
  readonly notifications = this.registry.counter(
    "trailwarden_notifications_total",
    "Detections delivered to a notification sink, by sink.",
    ["sink"],
  );
  readonly notificationFailures = this.registry.counter(
    "trailwarden_notification_failures_total",
    "Failed delivery attempts to a notification sink (each is retried with backoff), by sink.",
    ["sink"],
  );
  readonly notificationBacklog = this.registry.gauge(
    "trailwarden_notification_backlog",
    "Detections in the store's outbox not yet delivered to a sink.",
    ["sink"],
  );
  readonly quarantinedFiles = this.registry.gauge(
    "trailwarden_quarantined_files",
    "Log files in the state store's quarantine: they could not be read and are retried (their keys are in /healthz and the scan summary).",
    [],
  );
  readonly evaluationErrors = this.registry.counter(
    "trailwarden_rule_evaluation_errors_total",
    "Records on which a rule threw while being evaluated (that rule did not match; the others judged the record), by rule id.",
    ["rule"],
  );
  readonly ruleReloads = this.registry.counter(
    "trailwarden_rules_reloads_total",
    "Rule reloads (SIGHUP) by outcome (success, failure); a failed reload keeps the rules in use.",
    ["outcome"],
  );
  readonly rulesLoaded = this.registry.gauge("trailwarden_rules_loaded", "Rules in use by the scan.");
  readonly ruleReloadFailing = this.registry.gauge(
    "trailwarden_rules_reload_failing",
    "1 when the last rule reload failed (the previous rules are still in use), else 0.",
  );

  constructor() {
    this.buildInfo.set({ version }, 1);
  }

  onCall(e: AwsCallEvent): void {
    this.awsCalls.inc({ service: e.service });
    if (e.errorCode) this.awsErrors.inc({ service: e.service, code: e.errorCode });
    const errors = e.attemptErrors ?? [];
    // The last attempt's error is the call's error when it failed; the others were retried.
    const retried = e.errorCode ? errors.slice(0, -1) : errors;
    for (const code of retried) {
      this.awsRetries.inc({ service: e.service, code });
      if (isThrottlingCode(code)) this.throttlingRetries.inc({ service: e.service });
    }
  }

  jobFinished(job: JobName, outcome: "success" | "failure" | "aborted", seconds: number, at: Date): void {
    this.runs.inc({ job, outcome });
    this.duration.observe({ job }, seconds);
    if (outcome === "success") this.lastSuccess.set({ job }, at.getTime() / 1000);
  }

  auditFindings(findings: readonly FindingView[]): void {
    const counts = new Map<string, { labels: { check: string; status: string }; n: number }>();
    for (const f of findings) {
      const key = `${f.check}\u0000${f.status}`;
      const c = counts.get(key) ?? { labels: { check: f.check, status: f.status }, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    this.findings.replaceAll([...counts.values()].map((c) => [c.labels, c.n]));
  }

  scanFinished(summary: ScanSummaryView): void {
    this.records.inc({}, summary.records.read);
    this.scanErrors.inc({}, summary.errors.length);
    const integrity = summary.integrity;
    if (integrity) {
      this.integrityFiles.inc({}, integrity.verifiedFiles);
      this.integrityDigests.inc({}, integrity.verifiedDigests);
      for (const [kind, n] of Object.entries(integrity.problems)) this.integrityProblems.inc({ kind }, n);
    }
    for (const [rule, n] of Object.entries(summary.evaluationErrors ?? {}))
      this.evaluationErrors.inc({ rule }, n);
    const c = summary.correlation;
    if (c) {
      this.correlationDropped.inc({ reason: "late" }, c.late);
      this.correlationDropped.inc({ reason: "ungrouped" }, c.ungrouped);
      this.correlationDropped.inc({ reason: "group_cap" }, c.groupsRefused);
      this.correlationDropped.inc({ reason: "truncated" }, c.truncated);
      this.correlationGroups.set({}, c.liveGroups);
    }
  }

  detection(d: DetectionView): void {
    this.detections.inc({ rule: d.ruleId, level: d.level });
  }
}
