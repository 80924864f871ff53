// Secrets never reach a log line, whatever their shape: user:password in a URL, a token in a URL's
// query, a header value with line breaks, or a secret quoted inside an error message.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { StatusServer } from "../../src/daemon/http.ts";
import { SinkConfigError, webhookSink } from "../../src/daemon/notify/sinks.ts";
import { createLogger, registerSecret, safeUrl } from "../../src/util/logger.ts";

function capture() {
  const lines: string[] = [];
  return {
    logger: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    text: () => lines.join(""),
  };
}

test("URLs in log lines are cut to origin plus path, wherever they appear", () => {
  const { logger, text } = capture();
  const url = "https://alice:hunter2@hooks.example.com/services/T0/B0?token=qwerty123&x=1#frag";
  logger.error(`cannot post to ${url}`, {
    target: url,
    nested: { list: [url, { deeper: `see ${url}.` }] },
    error: new Error(`fetch ${url} failed`),
    queue: "sqs://https://user:pw123456@sqs.us-east-1.amazonaws.com/111111111111/q?X-Amz-Signature=abcdef123",
  });
  const out = text();
  for (const secret of ["alice", "hunter2", "qwerty123", "frag", "pw123456", "abcdef123"])
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes("https://hooks.example.com/services/T0/B0"), out);
  assert.ok(out.includes("sqs://https://sqs.us-east-1.amazonaws.com/111111111111/q"), out);
  assert.equal(safeUrl("s3://bucket/AWSLogs/x.json.gz"), "s3://bucket/AWSLogs/x.json.gz");
});

test("a registered secret is masked anywhere in a line, each of its lines too", () => {
  const { logger, text } = capture();
  registerSecret("Bearer abc.def-ghi\nsecond-line-of-token");
  logger.warn("header rejected: Bearer abc.def-ghi", { reason: "value second-line-of-token is invalid" });
  const out = text();
  assert.ok(!out.includes("abc.def-ghi") && !out.includes("second-line-of-token"), out);
  assert.match(out, /\[redacted\]/);
});

test("a webhook header value with a line break is refused by variable name, never quoting the value", () => {
  const cfg = {
    url: "https://hooks.example.com/x",
    headersFromEnv: { Authorization: "TW_TOKEN" },
    timeoutSeconds: 5,
  };
  assert.throws(
    () => webhookSink(cfg, { TW_TOKEN: "Bearer top-secret-value\r\nX-Injected: 1" }),
    (err: Error) =>
      err instanceof SinkConfigError &&
      /TW_TOKEN \(header Authorization\) holds a line break/.test(err.message) &&
      !err.message.includes("top-secret-value"),
  );
});

test("webhook failures name the origin only, and URL credentials travel as basic authentication", async () => {
  let auth = "";
  let path = "";
  const server = createServer((req, res) => {
    auth = req.headers.authorization ?? "";
    path = req.url ?? "";
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const sink = webhookSink(
      {
        url: `http://bob:pa55word@127.0.0.1:${port}/hook/T123?token=sekrit42`,
        headersFromEnv: {},
        timeoutSeconds: 5,
      },
      {},
    );
    assert.equal(sink.target, `http://127.0.0.1:${port}`);
    await assert.rejects(sink.deliver({ id: "d1" }), (err: Error) => {
      assert.equal(err.message, `webhook http://127.0.0.1:${port} answered HTTP 500`);
      return true;
    });
    assert.equal(auth, `Basic ${Buffer.from("bob:pa55word").toString("base64")}`);
    assert.equal(path, "/hook/T123?token=sekrit42");
    server.close();
    await assert.rejects(sink.deliver({ id: "d1" }), (err: Error) => {
      assert.match(err.message, /^webhook http:\/\/127\.0\.0\.1:\d+ not reached: ECONNREFUSED$/);
      return true;
    });
  } finally {
    server.close();
  }
});

test("/healthz reasons quoting a URL show its origin and path only", async () => {
  const reason =
    "scan failed at T: log source sqs://https://user:hunter22@sqs.example.com/1/q?X-Amz-Signature=feedbeef failed";
  const server = new StatusServer(
    { health: () => ({ ok: false, reasons: [reason], jobs: {} }), metrics: () => "" },
    createLogger({ write: () => {} }),
  );
  const { port } = await server.listen("127.0.0.1", 0);
  try {
    const body = await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
    assert.ok(!body.includes("hunter22") && !body.includes("feedbeef"), body);
    assert.ok(body.includes("sqs://https://sqs.example.com/1/q failed"), body);
  } finally {
    await server.close();
  }
});
