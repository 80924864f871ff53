// The public reference corpus (SigmaHQ CloudTrail rules, Invictus CloudTrail samples) lives outside the
// repository, in ../shared/corpus beside the checkout. Tests that read it skip, saying why and where to
// get it, when it is absent; CI sets TRAILWARDEN_REQUIRE_CORPUS=1 so a missing corpus fails there.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_DIR = fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));

const WHERE =
  "SigmaHQ/sigma@8eaafff1f2845a696050e05e72ba1140ee190698 (rules/cloud/aws/cloudtrail) and " +
  'invictus-ir/aws_dataset@4667aa9c26330bc3317ed8bd526f4b83cff13602; see README.md, "Test corpus"';

/**
 * `false` when `sub` (a path under the corpus) is present; otherwise the reason to hand to node:test's
 * `skip` option. Throws when TRAILWARDEN_REQUIRE_CORPUS=1, so CI cannot pass by skipping.
 */
export function corpusSkip(sub = ""): string | false {
  const dir = join(CORPUS_DIR, sub);
  if (existsSync(dir)) return false;
  const reason = `needs the public test corpus at ${dir} (absent): put ../shared/corpus beside the checkout, from ${WHERE}`;
  if (process.env.TRAILWARDEN_REQUIRE_CORPUS === "1") throw new Error(reason);
  return reason;
}
