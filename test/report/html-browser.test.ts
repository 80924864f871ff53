// The HTML report in a real browser: headless Chromium (Debian's `chromium` package, installed by
// .ci/run) driven by playwright-core. The report of the demo data is served from a loopback server;
// every other request is blocked and counted, since the page must work offline.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { auditCommand } from "../../src/cli/audit.ts";
import { reportCommand } from "../../src/cli/report.ts";
import { scanCommand } from "../../src/cli/scan.ts";
import type { AuditReport } from "../../src/report/audit-report.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where the screenshot goes: a test artifact (docs/report-screenshot.png is refreshed from it). */
const ARTIFACTS = process.env.TW_TEST_ARTIFACTS ?? join(ROOT, "test-artifacts");
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it`;

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

describe("the HTML report in headless Chromium", { skip }, () => {
  let dir: string;
  let server: Server;
  let origin: string;
  let context: BrowserContext;
  let page: Page;
  let audit: AuditReport;
  const blocked: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tw-html-"));
    const auditFile = join(dir, "audit.json");
    const scanFile = join(dir, "scan.json");
    const baselineFile = join(dir, "baseline.json");
    const html = join(dir, "report.html");
    await quietly(() =>
      auditCommand.run([
        "--inventory",
        join(ROOT, "demo/inventory.json"),
        "--format",
        "json",
        "--output",
        auditFile,
      ]),
    );
    await quietly(() =>
      scanCommand.run([
        "--rules",
        join(ROOT, "rules"),
        "--logs",
        join(ROOT, "demo/logs"),
        "--output",
        scanFile,
      ]),
    );
    audit = JSON.parse(readFileSync(auditFile, "utf8"));
    // The baseline: the first FAIL still passed then, so it is new now.
    const baseline: AuditReport = JSON.parse(JSON.stringify(audit));
    baseline.generatedAt = "2026-11-01T00:00:00.000Z";
    baseline.findings.find((f) => f.status === "FAIL")!.status = "PASS";
    writeFileSync(baselineFile, JSON.stringify(baseline));
    const code = await quietly(() =>
      reportCommand.run([
        auditFile,
        scanFile,
        "--baseline",
        baselineFile,
        "--format",
        "html",
        "--output",
        html,
      ]),
    );
    assert.equal(code, 0);
    const body = readFileSync(html);
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1400, height: 1000 },
    });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/report.html`, { waitUntil: "load" });
  });

  after(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("makes no request beyond the page itself", () => {
    assert.deepEqual(blocked, []);
  });

  it("has one coverage cell per trail-coverage finding, with its status", async () => {
    const cells = await page.$$eval("td.cell", (tds) =>
      tds.map((td) => `${td.dataset.account} ${td.dataset.region} ${td.dataset.status}`).sort(),
    );
    const expected = audit.findings
      .filter((f) => f.check === "trail-coverage")
      .map((f) => `${f.accountId} ${f.region} ${f.status}`)
      .sort();
    assert.deepEqual(cells, expected);
  });

  it("shows the trails that cover a cell on hover and on click", async () => {
    const covered = audit.findings.find(
      (f) => f.check === "trail-coverage" && f.trails && f.trails.length > 1,
    )!;
    const cell = page.locator(
      `td.cell[data-account="${covered.accountId}"][data-region="${covered.region}"]`,
    );
    await cell.hover();
    assert.deepEqual(await page.locator("#cell-detail ul.trails li").allTextContents(), covered.trails);
    const failing = audit.findings.find((f) => f.check === "trail-coverage" && f.status === "FAIL")!;
    await page
      .locator(`td.cell[data-account="${failing.accountId}"][data-region="${failing.region}"]`)
      .click();
    assert.match(await page.locator("#cell-detail").innerText(), /No trail covers this region/);
    assert.match(await page.locator("#cell-detail").innerText(), new RegExp(failing.accountId));
  });

  it("filters the findings by status, severity, check and account", async () => {
    const visible = () => page.locator("tr.finding:visible");
    assert.equal(await visible().count(), audit.findings.length);
    await page.selectOption("#filter-status", "FAIL");
    const fails = audit.findings.filter((f) => f.status === "FAIL");
    assert.equal(await visible().count(), fails.length);
    assert.deepEqual(
      [...new Set(await visible().evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))))],
      ["FAIL"],
    );
    const account = fails[0].accountId;
    await page.selectOption("#filter-account", account);
    assert.equal(await visible().count(), fails.filter((f) => f.accountId === account).length);
    await page.selectOption("#filter-status", "");
    await page.selectOption("#filter-account", "");
    await page.selectOption("#filter-check", "trail-coverage");
    await page.selectOption("#filter-severity", "high");
    assert.equal(
      await visible().count(),
      audit.findings.filter((f) => f.check === "trail-coverage" && f.severity === "high").length,
    );
    assert.match(
      await page.locator("#findings-shown").innerText(),
      new RegExp(`of ${audit.findings.length} findings shown`),
    );
    await page.selectOption("#filter-check", "");
    await page.selectOption("#filter-severity", "");
    assert.equal(await visible().count(), audit.findings.length);
  });

  it("lists what changed since the baseline", async () => {
    assert.equal(await page.locator("#new-fail li").count(), 1);
  });

  it("shows the detections by rule, with why each matched", async () => {
    const scan = JSON.parse(readFileSync(join(dir, "scan.json"), "utf8"));
    assert.equal(
      await page.locator("#rules-table tr.rule").count(),
      Object.keys(scan.summary.detections.byRule).length,
    );
    assert.equal(await page.locator("#detections-table tr.detection").count(), scan.detections.length);
    assert.match(await page.locator("#detections-table").innerText(), /userIdentity\.type = Root/);
  });

  it("names, on each detection of a record that fired several rules, the other rules", async () => {
    const scan: { detections: { groupKey: string }[] } = JSON.parse(
      readFileSync(join(dir, "scan.json"), "utf8"),
    );
    const perGroup = new Map<string, number>();
    for (const d of scan.detections) perGroup.set(d.groupKey, (perGroup.get(d.groupKey) ?? 0) + 1);
    const folded = [...perGroup.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
    assert.ok(folded > 0, "the demo data has a record that fires two rules");
    assert.equal(await page.locator("#detections-table .also").count(), folded);
  });

  it("saves a screenshot as a test artifact", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.selectOption("#filter-status", "");
    const covered = audit.findings.find(
      (f) => f.check === "trail-coverage" && f.trails && f.trails.length > 1,
    )!;
    await page
      .locator(`td.cell[data-account="${covered.accountId}"][data-region="${covered.region}"]`)
      .click();
    const file = join(ARTIFACTS, "report-screenshot.png");
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1400, height: 1000 } });
    assert.ok(readFileSync(file).length > 10_000);
  });
});
