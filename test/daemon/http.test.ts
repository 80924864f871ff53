import assert from "node:assert/strict";
import { test } from "node:test";
import type { Health } from "../../src/daemon/health.ts";
import { StatusServer } from "../../src/daemon/http.ts";
import { Registry } from "../../src/daemon/metrics.ts";
import { silentLogger } from "../../src/util/logger.ts";
import { parsePrometheus } from "../support/prometheus.ts";

async function withServer(health: Health, fn: (base: string) => Promise<void>): Promise<void> {
  const registry = new Registry();
  registry.counter("x_total", "X.").inc();
  const server = new StatusServer({ health: () => health, metrics: () => registry.render() }, silentLogger);
  const { port } = await server.listen("127.0.0.1", 0);
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    await server.close();
  }
}

test("/healthz answers 200 when healthy and 503 with the reasons when not", async () => {
  await withServer({ ok: true, reasons: [], jobs: {} }, async (base) => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, "ok");
  });
  await withServer({ ok: false, reasons: ["audit failed at X: AccessDenied"], jobs: {} }, async (base) => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 503);
    assert.deepEqual(((await res.json()) as { reasons: string[] }).reasons, [
      "audit failed at X: AccessDenied",
    ]);
  });
});

test("/metrics serves the registry as Prometheus text with its content type", async () => {
  await withServer({ ok: true, reasons: [], jobs: {} }, async (base) => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.equal(parsePrometheus(await res.text()).samples[0].value, 1);
  });
});

test("other paths are 404 and other methods 405", async () => {
  await withServer({ ok: true, reasons: [], jobs: {} }, async (base) => {
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: "POST" })).status, 405);
  });
});
