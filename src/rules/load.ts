// Finds rule files, parses them safely and compiles each one. A bad file is reported and skipped;
// the others still load.
import { closeSync, type Dirent, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseYaml } from "../config/yaml.ts";
import { compileRule } from "./compile.ts";
import { compileRuleDocuments, type RuleDocuments } from "./correlation/documents.ts";
import type { CompiledRule, LoadRulesOptions, RuleProblem, RuleWarning } from "./types.ts";

/** Rule files beyond this size are refused: a rule is a few kilobytes, and files are untrusted. */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

export function isRuleFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !isRuleTestFile(name);
}

export function isRuleTestFile(name: string): boolean {
  return /\.tests\.ya?ml$/i.test(name);
}

/**
 * Every file under `paths` that `accept` takes, sorted so the load order is stable. Missing paths are
 * problems. Symlinks are followed (a Kubernetes ConfigMap mounts each rule as `rule.yml ->
 * ..data/rule.yml`), files are deduplicated by their real path, folders whose name starts with a dot
 * (ConfigMap's `..data` and `..2026_...`, `.git`) are not walked, and a symlink loop is reported,
 * not followed.
 */
export async function findFiles(
  paths: string[],
  accept: (name: string) => boolean,
): Promise<{ files: string[]; problems: RuleProblem[] }> {
  // Paths are reported as the user wrote them; duplicates are recognised by their real path.
  const files = new Map<string, string>();
  const problems: RuleProblem[] = [];
  const problem = (file: string, message: string) => problems.push({ file, line: 1, column: 1, message });
  // Synchronous: one call per rule file, far cheaper than a thread-pool round trip each.
  const add = async (p: string) => {
    const real = realpathOrResolved(p);
    if (!files.has(real)) files.set(real, p);
  };
  /** `ancestors`: real paths of the folders above, to recognise a link back up the tree. */
  async function walk(dir: string, ancestors: readonly string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problem(dir, `cannot read: ${(err as Error).message}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        if (e.name.startsWith(".")) continue; // ConfigMap's ..data: its files are reached by their links
        try {
          const target = await stat(p);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === "ELOOP") problem(p, "symlink loop: not followed");
          else if (accept(e.name)) problem(p, `cannot read: ${(err as Error).message}`);
          continue;
        }
      }
      if (isDir) {
        if (e.name.startsWith(".")) continue;
        const real = await realpath(p).catch(() => resolve(p));
        if (ancestors.includes(real)) {
          problem(p, `symlink loop: leads back to ${real}; not followed`);
          continue;
        }
        await walk(p, [...ancestors, real]);
      } else if (isFile && accept(e.name)) await add(p);
    }
  }
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) await walk(p, [await realpath(p)]);
      else await add(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problem(p, code === "ELOOP" ? "symlink loop: not followed" : `cannot read: ${(err as Error).message}`);
    }
  }
  return { files: [...files.values()], problems };
}

function realpathOrResolved(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return resolve(p);
  }
}

export interface LoadedRuleFile extends RuleDocuments {
  file: string;
}

/**
 * The rule files under some paths and their texts, read once: the main thread compiles them, and
 * hands the same texts to the scan's workers (which then compile exactly what it did, without
 * touching the disk). Plain data, so it crosses to a worker as it is.
 */
export interface RuleSources {
  files: string[];
  /** Problems finding the files (missing paths, symlink loops). */
  problems: RuleProblem[];
  /** Per file (same order): its text, or why it could not be read. */
  texts: (string | RuleProblem)[];
}

export async function readRuleSources(paths: string[]): Promise<RuleSources> {
  const found = await findFiles(paths, isRuleFile);
  return { files: found.files, problems: found.problems, texts: found.files.map(readRuleText) };
}

/** Parse and compile one rule file (`text`: its content already read, or why it could not be). */
export function loadRuleFile(
  file: string,
  opts: LoadRulesOptions = {},
  text: string | RuleProblem = readRuleText(file),
): LoadedRuleFile {
  if (typeof text !== "string") return { file, ...emptyDocuments(), problems: [text] };
  // A file may hold several documents: base rules and the correlations over them.
  return { file, ...compileRuleDocuments(text, file, opts) };
}

/**
 * The file's text, or the problem. One synchronous open, fstat (the size cap, checked before any
 * byte is read), read and close: a rule is a few kilobytes, and a pack of 1,000 files read through
 * the promise API costs each thread a thread-pool round trip per call (the scan's workers load the
 * rules at the same time, so they queued behind each other).
 */
function readRuleText(file: string): string | RuleProblem {
  const problem = (message: string): RuleProblem => ({ file, line: 1, column: 1, message });
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    if (size > MAX_RULE_FILE_BYTES) return problem(`rule file is larger than ${MAX_RULE_FILE_BYTES} bytes`);
    // Read to the end, not just `size` bytes: a file may grow between fstat and read (never past the cap).
    let buf = Buffer.allocUnsafe(size + 1);
    let len = 0;
    for (;;) {
      if (len === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > MAX_RULE_FILE_BYTES) return problem(`rule file is larger than ${MAX_RULE_FILE_BYTES} bytes`);
    }
    return buf.toString("utf8", 0, len);
  } catch (err) {
    return problem(`cannot read: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function emptyDocuments(): RuleDocuments {
  return { rules: [], filters: [], correlations: [], names: new Map(), problems: [] };
}

export interface CompiledRuleText {
  rule?: CompiledRule;
  problems: RuleProblem[];
  /** The rule's lint warnings (when it compiled). */
  warnings: RuleWarning[];
}

/** Parse and compile rule source text (what loadRuleFile does after reading). */
export function compileRuleText(text: string, file: string, opts: LoadRulesOptions = {}): CompiledRuleText {
  try {
    return compileRuleTextUnguarded(text, file, opts);
  } catch (err) {
    // A file the parser or compiler chokes on (say, nesting deep enough to exhaust the stack) is one
    // bad rule, not the end of loading.
    return {
      problems: [{ file, line: 1, column: 1, message: `cannot load: ${(err as Error).message}` }],
      warnings: [],
    };
  }
}

function compileRuleTextUnguarded(text: string, file: string, opts: LoadRulesOptions = {}): CompiledRuleText {
  const parsed = parseYaml(text, file);
  if (parsed.problems.length > 0) {
    return {
      warnings: [],
      problems: parsed.problems.map((p) => ({
        ...p,
        message: p.message.includes("multiple documents")
          ? "unsupported: this file holds several YAML documents (a Sigma rule collection); put each rule in its own file"
          : p.message,
      })),
    };
  }
  return compileRule(parsed, opts);
}
