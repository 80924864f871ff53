// examples/iam-policy.json must list exactly the AWS actions the code can call: every SDK command
// sent anywhere under src/ is found from its import of @aws-sdk/client-<service>, mapped to its IAM
// action, and compared with the policy both ways. So the policy and the code never drift apart.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../../", import.meta.url).pathname;

/** IAM prefix of each SDK client package. */
const IAM_PREFIX: Record<string, string> = {
  account: "account",
  cloudtrail: "cloudtrail",
  iam: "iam",
  kms: "kms",
  organizations: "organizations",
  s3: "s3",
  // S3 Control's actions are s3: ones; its operations are told apart in ACTION_OF_OPERATION.
  "s3-control": "s3-control",
  sns: "sns",
  sqs: "sqs",
  sts: "sts",
};

/** Operations whose IAM action is not named like the operation (AWS service authorization reference). */
const ACTION_OF_OPERATION: Record<string, string> = {
  "s3:ListObjectsV2": "s3:ListBucket",
  "s3:ListObjects": "s3:ListBucket",
  "s3:HeadBucket": "s3:ListBucket",
  "s3:HeadObject": "s3:GetObject",
  "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
  "s3:ListBuckets": "s3:ListAllMyBuckets",
  "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
  "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
  "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
  "s3-control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
};

/** The only actions that change anything, and why they are allowed. */
const ALLOWED_WRITES = new Set([
  "sqs:ReceiveMessage", // queue mode: receiving hides the message from other consumers
  "sqs:DeleteMessage", // queue mode: a message is deleted once its files are processed
  "sqs:ChangeMessageVisibility", // queue mode: extend the visibility while work goes on
  "sns:Publish", // the optional SNS notification sink
]);
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|Head)[A-Za-z0-9]*$/;
const NO_SIDE_EFFECT = new Set(["sts:AssumeRole", "sts:GetCallerIdentity"]);

/** An aggregated client (e.g. `new S3().getObject()`) would hide its calls from this scan. */
const AGGREGATED_CLIENTS = /^(S3|S3Control|CloudTrail|IAM|KMS|SNS|SQS|STS|Organizations|Account)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

interface Use {
  action: string;
  file: string;
}

/** Every AWS command the code can send, as IAM actions, with where it is sent from. */
function actionsInCode(): Use[] {
  const uses: Use[] = [];
  const importRe = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']@aws-sdk\/client-([a-z0-9-]+)["']/g;
  for (const file of sourceFiles(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(importRe)) {
      if (m[1]) continue; // `import type { ... }` sends nothing
      const service = m[3];
      const prefix = IAM_PREFIX[service];
      assert.ok(prefix, `${file}: @aws-sdk/client-${service} has no IAM prefix in this test; add it`);
      for (const raw of m[2].split(",")) {
        const item = raw.trim();
        if (!item || item.startsWith("type ")) continue;
        const [imported, local = imported] = item.split(/\s+as\s+/);
        assert.ok(!AGGREGATED_CLIENTS.test(imported), `${file}: aggregated client ${imported}; use commands`);
        let operation: string | undefined;
        if (imported.endsWith("Command") && new RegExp(`new\\s+${local}\\s*\\(`).test(text))
          operation = imported.slice(0, -"Command".length);
        else if (/^paginate[A-Z]/.test(imported) && new RegExp(`\\b${local}\\s*\\(`).test(text))
          operation = imported.slice("paginate".length);
        if (!operation) continue;
        const op = `${prefix}:${operation}`;
        uses.push({ action: ACTION_OF_OPERATION[op] ?? op, file: file.slice(root.length) });
      }
    }
  }
  return uses;
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

function actionsInPolicy(): { actions: Set<string>; statements: Statement[] } {
  const policy = JSON.parse(readFileSync(join(root, "examples/iam-policy.json"), "utf8")) as {
    Version: string;
    Statement: Statement[];
  };
  assert.equal(policy.Version, "2012-10-17");
  const actions = new Set<string>();
  for (const s of policy.Statement) for (const a of [s.Action].flat()) actions.add(a);
  return { actions, statements: policy.Statement };
}

test("every AWS command the code can send is allowed by examples/iam-policy.json", () => {
  const uses = actionsInCode();
  assert.ok(uses.length > 0, "the scan found the SDK commands");
  const { actions } = actionsInPolicy();
  const missing = uses.filter((u) => !actions.has(u.action)).map((u) => `${u.action} (sent from ${u.file})`);
  assert.deepEqual(missing, [], "actions the code calls but the policy does not allow");
});

test("the policy grants no action the code does not call", () => {
  const called = new Set(actionsInCode().map((u) => u.action));
  const { actions } = actionsInPolicy();
  assert.deepEqual(
    [...actions].filter((a) => !called.has(a)),
    [],
    "actions the policy allows but no code calls",
  );
});

test("the policy is read-only except the SQS consumer actions and SNS Publish, with no wildcards", () => {
  const { actions, statements } = actionsInPolicy();
  for (const a of actions) {
    assert.ok(!a.includes("*"), `${a}: no wildcard actions`);
    assert.ok(READ_ONLY.test(a) || NO_SIDE_EFFECT.has(a) || ALLOWED_WRITES.has(a), `${a} is a write action`);
  }
  for (const s of statements) assert.equal(s.Effect, "Allow", `${s.Sid}: only Allow statements`);
});

test("the write actions are limited to named resources, not every resource", () => {
  const { statements } = actionsInPolicy();
  for (const s of statements) {
    const writes = [s.Action].flat().filter((a) => ALLOWED_WRITES.has(a) || a === "sts:AssumeRole");
    if (writes.length === 0) continue;
    assert.ok(![s.Resource].flat().includes("*"), `${s.Sid}: ${writes.join(", ")} must name its resources`);
  }
});
