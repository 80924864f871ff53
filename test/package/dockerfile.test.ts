// The Dockerfile's steps, run without a Docker engine as far as this machine allows: each stage gets
// a folder standing for its filesystem, COPY copies from the checkout (or an earlier stage), RUN runs
// the same commands there (npm ci --omit=dev included). The steps that need root in the image
// (creating the user) are reported and left out. Then the image's ENTRYPOINT runs the CLI from its
// WORKDIR. The Kubernetes examples must run what this file builds.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, posix } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { REPO, run } from "./support.ts";

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    if (!pending) start = i + 1;
    pending += pending ? ` ${line}` : line;
    if (pending.endsWith("\\")) {
      pending = pending.slice(0, -1).trimEnd();
      return;
    }
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(pending) ?? [];
    out.push({ op: op.toUpperCase(), args, line: start });
    pending = "";
  });
  return out;
}

/** Commands that only root inside the image can run. */
const NEEDS_ROOT = /\b(groupadd|useradd|chown|apt-get)\b/;

interface Image {
  /** The final stage's filesystem root, and its WORKDIR, ENV, USER, ENTRYPOINT and CMD. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint: string[];
  cmd: string[];
  skipped: string[];
  ran: string[];
}

function buildWithoutDocker(dockerfile: string, context: string, into: string): Image {
  const stages = new Map<string, string>();
  let image: Image | undefined;
  let n = 0;
  for (const ins of parseDockerfile(readFileSync(dockerfile, "utf8"))) {
    const where = `Dockerfile:${ins.line}`;
    if (ins.op === "FROM") {
      const [, name] = /\bAS\s+(\S+)/i.exec(ins.args) ?? [];
      const root = join(into, `stage${n++}`);
      mkdirSync(root, { recursive: true });
      if (name) stages.set(name, root);
      image = { root, workdir: root, env: {}, entrypoint: [], cmd: [], skipped: [], ran: [] };
      continue;
    }
    assert.ok(image, `${where}: ${ins.op} before FROM`);
    const inImage = (p: string) => (isAbsolute(p) ? join(image!.root, p) : join(image!.workdir, p));
    switch (ins.op) {
      case "WORKDIR":
        image.workdir = inImage(ins.args);
        mkdirSync(image.workdir, { recursive: true });
        break;
      case "ENV":
        for (const [, k, v] of ins.args.matchAll(/(\w+)=(\S+)/g)) image.env[k] = v;
        break;
      case "COPY": {
        const words = ins.args.split(/\s+/);
        const from = words[0].startsWith("--from=") ? stages.get(words.shift()!.slice(7)) : undefined;
        const dest = words.pop()!;
        const target = inImage(dest);
        const toDir = dest.endsWith("/") || words.length > 1;
        for (const src of words) {
          const source = from ? join(from, src) : join(context, src);
          assert.ok(existsSync(source), `${where}: COPY source ${src} does not exist`);
          const to = toDir ? join(target, posix.basename(src)) : target;
          mkdirSync(dirname(to), { recursive: true });
          cpSync(source, to, { recursive: true });
        }
        break;
      }
      case "RUN":
        if (NEEDS_ROOT.test(ins.args)) {
          image.skipped.push(`${where}: RUN ${ins.args}`);
          break;
        }
        {
          const r = run("sh", ["-c", ins.args], image.workdir, image.env);
          assert.equal(r.code, 0, `${where}: ${r.all}`);
          image.ran.push(`${where}: RUN ${ins.args}`);
        }
        break;
      case "USER":
        image.user = ins.args;
        break;
      case "ENTRYPOINT":
        image.entrypoint = JSON.parse(ins.args);
        break;
      case "CMD":
        image.cmd = JSON.parse(ins.args);
        break;
      case "EXPOSE":
        break;
      default:
        assert.fail(`${where}: ${ins.op} is not handled by this test; extend it`);
    }
  }
  assert.ok(image, "no FROM in the Dockerfile");
  return image;
}

describe("the Dockerfile, built without a Docker engine", () => {
  let image: Image;
  let into: string;
  const cli = (...args: string[]) => {
    const [exe, ...rest] = image.entrypoint;
    assert.equal(exe, "node");
    const mapped = rest.map((a) => (a.startsWith("/") ? join(image.root, a) : a));
    return run(process.execPath, [...mapped, ...args], image.workdir, image.env);
  };

  before(() => {
    into = mkdtempSync(join(tmpdir(), "tw-docker-"));
    image = buildWithoutDocker(join(REPO, "Dockerfile"), REPO, into);
    process.stderr.write(`steps left out (they need root in the image):\n  ${image.skipped.join("\n  ")}\n`);
  });
  after(() => rmSync(into, { recursive: true, force: true }));

  it("installs production dependencies only, with npm ci --omit=dev", () => {
    assert.ok(
      image.ran.some((r) => /RUN npm ci --omit=dev/.test(r)),
      image.ran.join("\n"),
    );
    const modules = join(image.root, "app/node_modules");
    assert.ok(existsSync(join(modules, "@aws-sdk/client-cloudtrail")));
    for (const dev of ["tsx", "typescript", "@biomejs"])
      assert.equal(existsSync(join(modules, dev)), false, dev);
    assert.ok(readdirSync(join(image.root, "app/dist/cli")).includes("main.js"));
  });

  it("runs as an unprivileged user", () => {
    assert.match(image.user ?? "", /^[1-9]\d{3,}(:\d+)?$/);
  });

  it("prints the version through its entrypoint", () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const r = cli("--version");
    assert.equal(r.code, 0, r.all);
    assert.equal(r.stdout, `trailwarden ${version}\n`);
  });

  it("validates the bundled rules and runs the demo from its working directory", () => {
    const validated = cli("rules", "validate");
    assert.equal(validated.code, 0, validated.all);
    assert.match(validated.stdout, /no problems/);
    const demo = cli("demo");
    assert.equal(demo.code, 0, demo.all);
    assert.match(demo.stdout, /^scan: .*[1-9]\d* detections/m);
    assert.ok(existsSync(join(image.workdir, ".trailwarden/demo/reports/latest-audit.json")));
  });

  it("is the image the Kubernetes examples run, with their user, command and config path", () => {
    const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
    const tag = /docker build -t (\S+) \./.exec(dockerfile)?.[1];
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    assert.equal(tag, `trailwarden:${version}`);
    const uid = Number(image.user?.split(":")[0]);
    for (const file of ["deployment.yaml", "cronjob.yaml"]) {
      const text = readFileSync(join(REPO, "examples/kubernetes", file), "utf8");
      const docs = text.split(/^---$/m).map((d) => parse(d));
      const pod = docs.find((d) => d?.kind === "Deployment" || d?.kind === "CronJob");
      const spec = pod.kind === "CronJob" ? pod.spec.jobTemplate.spec.template.spec : pod.spec.template.spec;
      const container = spec.containers[0];
      assert.equal(container.image, tag, file);
      assert.equal(spec.securityContext.runAsUser, uid, file);
      assert.equal(container.args.at(-1), image.cmd.at(-1), `${file}: the config path`);
      assert.equal(container.command, undefined, `${file}: the image's ENTRYPOINT runs trailwarden`);
    }
    const configMap = parse(readFileSync(join(REPO, "examples/kubernetes/configmap.yaml"), "utf8"));
    const rules: string[] = parse(configMap.data["config.yaml"]).rules;
    assert.ok(rules.length > 0);
    for (const dir of rules) assert.ok(existsSync(join(image.root, dir)), `${dir} is not in the image`);
  });
});
