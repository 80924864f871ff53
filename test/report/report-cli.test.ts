import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../src/cli/command.ts";
import { reportCommand } from "../../src/cli/report.ts";
import { validatorFor } from "../../src/config/schema.ts";
import { auditReport, scanReport } from "./fixtures.ts";

function files() {
  const dir = mkdtempSync(join(tmpdir(), "tw-report-"));
  const audit = join(dir, "audit.json");
  const scan = join(dir, "scan.json");
  writeFileSync(audit, JSON.stringify(auditReport()));
  writeFileSync(scan, JSON.stringify(scanReport()));
  return { dir, audit, scan };
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

describe("trailwarden report", () => {
  it("renders an audit and a scan as one self-contained HTML file that loads nothing from elsewhere", async () => {
    const { dir, audit, scan } = files();
    const out = join(dir, "report.html");
    assert.equal(
      await quietly(() => reportCommand.run([audit, scan, "--format", "html", "--output", out])),
      0,
    );
    const html = readFileSync(out, "utf8");
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /<(link|img|iframe)\b|src="http|href="http/);
    assert.match(html, /id="coverage"/);
    assert.match(html, /id="detections"/);
  });

  it("escapes text from the reports", async () => {
    const { dir, audit } = files();
    const out = join(dir, "report.html");
    await quietly(() => reportCommand.run([audit, "--format", "html", "--output", out]));
    const html = readFileSync(out, "utf8");
    assert.doesNotMatch(html, /<script>alert\(1\)<\/script>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it("writes OCSF that validates against the shipped schema", async () => {
    const { dir, audit, scan } = files();
    const out = join(dir, "ocsf.json");
    await quietly(() => reportCommand.run([audit, scan, "--format", "ocsf", "--output", out]));
    const validate = validatorFor("ocsf-findings");
    assert.ok(validate(JSON.parse(readFileSync(out, "utf8"))), JSON.stringify(validate.errors));
  });

  it("writes one JSON document unchanged", async () => {
    const { dir, audit } = files();
    const out = join(dir, "same.json");
    await quietly(() => reportCommand.run([audit, "--format", "json", "--output", out]));
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), auditReport());
  });

  it("names the file that is not a trailwarden report", async () => {
    const { dir } = files();
    const bad = join(dir, "other.json");
    writeFileSync(bad, JSON.stringify({ hello: "world" }));
    await assert.rejects(
      reportCommand.run([bad, "--format", "html"]),
      (err: Error) => err instanceof UsageError && err.message.startsWith(`${bad}: not a trailwarden`),
    );
  });

  it("says where an audit report is invalid", async () => {
    const { dir } = files();
    const bad = join(dir, "broken.json");
    writeFileSync(bad, JSON.stringify({ ...auditReport(), findings: [{ check: "x" }] }));
    await assert.rejects(
      reportCommand.run([bad, "--format", "html"]),
      /broken\.json: not a valid audit report: \/findings\/0/,
    );
  });

  it("takes only an audit report as the baseline", async () => {
    const { audit, scan } = files();
    await assert.rejects(
      reportCommand.run([audit, "--baseline", scan, "--format", "html"]),
      /--baseline .*: not an audit report/,
    );
  });
});

describe("trailwarden report with detections.jsonl", () => {
  it("adds the logged detections to the scan summary it is given", async () => {
    const { dir, audit } = files();
    const scan = scanReport();
    const jsonl = join(dir, "detections.jsonl");
    writeFileSync(jsonl, `${scan.detections!.map((d) => JSON.stringify(d)).join("\n")}\n`);
    const summaryOnly = join(dir, "latest-scan.json");
    writeFileSync(summaryOnly, JSON.stringify({ ...scan, detections: undefined }));
    const out = join(dir, "ocsf.json");
    await quietly(() => reportCommand.run([audit, summaryOnly, jsonl, "--format", "ocsf", "--output", out]));
    const events: { class_uid: number }[] = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(events.filter((e) => e.class_uid === 2004).length, 2);
  });

  it("names the line that is not a detection", async () => {
    const { dir } = files();
    const jsonl = join(dir, "detections.jsonl");
    writeFileSync(jsonl, `${JSON.stringify(scanReport().detections![0])}\n{"id": 1}\n`);
    await assert.rejects(
      reportCommand.run([jsonl, "--format", "html"]),
      /detections\.jsonl:2: not a trailwarden detection/,
    );
  });
});
