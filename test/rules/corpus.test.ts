// The engine against rules and logs nobody on this team wrote: the SigmaHQ CloudTrail rules and the
// Invictus attack-simulation CloudTrail logs in ../shared/corpus.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as nodeTest from "node:test";
import { describe } from "node:test";
import { fileURLToPath } from "node:url";
import { formatRuleProblem, type LoadedRules, loadRules } from "../../src/rules/index.ts";
import { CORPUS_DIR, corpusSkip } from "../support/corpus.ts";

const corpus = CORPUS_DIR;
// Every test here reads the corpus: each one is skipped, with the reason, when it is absent.
const skip = corpusSkip("sigma-cloudtrail") || corpusSkip("cloudtrail-samples/invictus-aws-dataset");
const it = (name: string, fn: () => void | Promise<void>) => nodeTest.it(name, { skip }, fn);
const before = (fn: () => void | Promise<void>) =>
  nodeTest.before(async () => {
    if (!skip) await fn();
  });
const sigma = join(corpus, "sigma-cloudtrail");
const samples = join(corpus, "cloudtrail-samples/invictus-aws-dataset");
const fixtures = fileURLToPath(new URL("../fixtures/rules/corpus-checks/", import.meta.url));

type Rec = Record<string, unknown> & { eventID: string };

function readSamples(): Rec[] {
  const files = readdirSync(samples)
    .filter((f) => f.endsWith(".json"))
    .sort();
  return files.flatMap((f) => JSON.parse(readFileSync(join(samples, f), "utf8")).Records as Rec[]);
}

/** eventIDs each rule detects, by rule title, sorted. */
function detections(loaded: LoadedRules, records: Rec[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rec of records) {
    for (const rule of loaded.ruleSet.evaluate(rec)) {
      const list = out.get(rule.title) ?? [];
      list.push(rec.eventID);
      out.set(rule.title, list);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

describe("SigmaHQ CloudTrail rules", () => {
  it("load all 57 active rules without a problem", async () => {
    const { ruleSet, problems } = await loadRules([join(sigma, "rules")]);
    assert.deepEqual(problems.map(formatRuleProblem), []);
    assert.equal(ruleSet.rules.length, 57);
  });

  it("reject the placeholder rule when its placeholders have no value", async () => {
    const { ruleSet, problems } = await loadRules([join(sigma, "rules-placeholder")]);
    assert.equal(ruleSet.rules.length, 0);
    // Both missing placeholders are reported, each where it is used.
    assert.equal(problems.length, 2);
    assert.match(
      formatRuleProblem(problems[0]),
      /:25:29: \[313e72de-0c0d-4d65-8c95-87f4d546eceb\] placeholder %Legitimate_Countries% has no value/,
    );
    assert.match(
      formatRuleProblem(problems[1]),
      /:27:24: \[313e72de-0c0d-4d65-8c95-87f4d546eceb\] placeholder %Legitimate_IP_Ranges% has no value/,
    );
  });

  it("load the placeholder rule when its placeholders are configured", async () => {
    const placeholders = { Legitimate_Countries: ["US", "DE"], Legitimate_IP_Ranges: ["203.0.113.*"] };
    const { ruleSet, problems } = await loadRules([join(sigma, "rules-placeholder")], { placeholders });
    assert.deepEqual(problems, []);
    const rule = ruleSet.rules[0];
    const login = { eventName: "ConsoleLogin", responseElements: { ConsoleLogin: "Success" } };
    assert.equal(rule.matches({ ...login, src_country: "FR", src_ip: "198.51.100.1" }), true);
    assert.equal(rule.matches({ ...login, src_country: "us", src_ip: "198.51.100.1" }), false);
    assert.equal(rule.matches({ ...login, src_country: "FR", src_ip: "203.0.113.9" }), false);
  });

  it("reject each of the 8 v1-aggregation rules as unsupported", async () => {
    const { ruleSet, problems, files } = await loadRules([join(sigma, "unsupported")]);
    assert.equal(files.length, 8);
    assert.equal(ruleSet.rules.length, 0);
    // Every problem of each file: a v1 `timeframe` and its `| count()` are two.
    assert.equal(problems.length, 14);
    for (const p of problems) assert.match(p.message, /^(condition: )?unsupported: /, formatRuleProblem(p));
    assert.deepEqual(new Set(problems.map((p) => p.file)).size, 8);
  });
});

describe("SigmaHQ rules over the Invictus CloudTrail samples", () => {
  let records: Rec[];
  let loaded: LoadedRules;
  let found: Map<string, string[]>;
  before(async () => {
    records = readSamples();
    loaded = await loadRules([join(sigma, "rules"), fixtures]);
    assert.deepEqual(loaded.problems, []);
    found = detections(loaded, records);
  });

  it("reads all 2,900 sample records", () => {
    assert.equal(records.length, 2900);
  });

  // Case-insensitivity: the rule says MFAUsed 'NO', the record says "No" (70e5932e). The other
  // ConsoleLogin (8feee4c2) has MFAUsed "Yes" and is rightly left out.
  it("detects the console login without MFA despite 'NO' versus 'No'", () => {
    assert.deepEqual(found.get("AWS Successful Console Login Without MFA"), [
      "70e5932e-9022-4b38-837e-ca10dad94eb7",
    ]);
  });

  // null: 8 DeleteBucket records; 3 failed with errorCode BucketNotEmpty (0c3bce40, 4b30a35a, 47eeb056).
  // The other 5 have no errorCode at all, which `errorCode: null` matches.
  it("detects the five successful DeleteBucket calls through errorCode: null", () => {
    assert.deepEqual(found.get("AWS Bucket Deleted"), [
      "0bf919d7-2cce-42ba-a1fa-96f6a21c780b",
      "1ff32724-bbee-4420-b152-00bf0df89e77",
      "5adccd99-5b50-4d9a-af47-2b2b456c054b",
      "65dae489-6488-4c76-968e-d2251f08c09b",
      "d6b83ae2-b5f0-40e6-8079-8311b8934faf",
    ]);
  });

  // null: two SendCommand records; 22d1e206 failed with InvalidInstanceId, 99b46479 has no errorCode.
  it("detects only the SendCommand without an errorCode", () => {
    assert.deepEqual(found.get("Potential Malicious Usage of CloudTrail System Manager"), [
      "99b46479-d5c7-4384-b342-006ece8c36a0",
    ]);
  });

  // null: the single DeleteFlowLogs record has no errorCode.
  it("detects the DeleteFlowLogs call", () => {
    assert.deepEqual(found.get("AWS VPC Flow Logs Deleted"), ["de58d903-38d7-4f30-a84b-b79d858e8376"]);
  });

  // The rule lists StopLogging, UpdateTrail, DeleteTrail with no status filter: 3 StopLogging (all
  // TrailNotFoundException) and 3 DeleteTrail. StartLogging (5) and CreateTrail (2) are not listed.
  it("detects every StopLogging and DeleteTrail, failed or not", () => {
    assert.deepEqual(found.get("AWS CloudTrail Important Change"), [
      "9790ee84-ed2b-4866-83d1-f32af0dd4cd2",
      "b4610d54-efe9-40b0-b9f9-71156081d520",
      "b7e19efd-92be-4182-bbbc-b6468296710b",
      "c0057a42-1625-4b1d-9db5-352f931f790a",
      "f6e10706-705c-47f2-94d4-112a9527ab8b",
      "fcec2e46-3cc3-4ac2-8144-3674f06990e4",
    ]);
  });

  // Four listed event names; CreateSecurityGroup (7475937c) and DeleteSecurityGroup (9606afeb) are not.
  it("detects the six ingress/egress rule changes and not the group creation or deletion", () => {
    assert.deepEqual(found.get("Ingress/Egress Security Group Modification"), [
      "5966ab0e-411b-402f-81a9-d638a8c71a53",
      "74bd84b4-6729-4895-b2a4-e2beb7c6b377",
      "7e96f0e7-4d78-423d-b3f5-391370685b30",
      "8733f811-267d-4c46-8e5b-000fe7c6a9f2",
      "914469fc-c658-434c-a560-0219c0ac3b55",
      "d2dedbf2-62a8-4362-bcad-aa1670e80c0f",
    ]);
  });

  it("detects the six CreateRoute calls", () => {
    assert.deepEqual(found.get("New Network Route Added"), [
      "1b76cc2d-e491-47db-81c3-210ae1879f41",
      "435a9d98-4ffd-4c9e-8e65-6af0337d6238",
      "6445452c-c6df-4ebf-a1ed-2890f5aa7107",
      "6b32c7fc-c0ea-4f20-aac3-4c0e4796f686",
      "946cef78-6825-4fe5-bae9-17d27b61dd21",
      "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
    ]);
  });

  // `not filter` with filter userIdentity.type AssumedRole: all three ListBuckets come from an IAMUser.
  it("detects the three ListBuckets calls by an IAM user", () => {
    assert.deepEqual(found.get("Potential Bucket Enumeration on AWS"), [
      "44a42357-fa38-4c9c-a58c-709254a857f7",
      "7fadf4bf-4bb5-4579-8651-e4ae621e2ae4",
      "c2cc693c-cf6d-43a7-854d-ba034af681f2",
    ]);
  });

  // The rule's filter `userIdentity.arn|contains: responseElements.accessKey.userName` is a literal
  // string, not a field reference, so it never matches: both CreateAccessKey calls (by user bert-jan
  // for other users) are detected, as any Sigma engine would.
  it("detects both CreateAccessKey calls for other users", () => {
    assert.deepEqual(found.get("AWS IAM Backdoor Users Keys"), [
      "64b7de64-bf53-47ae-b7e3-d30cb1b5136e",
      "8c282c0b-00d1-4369-95b7-cb50b6eee620",
    ]);
  });

  it("detects both ModifySnapshotAttribute calls", () => {
    assert.deepEqual(found.get("AWS Snapshot Backup Exfiltration"), [
      "3ad01b1d-ebc1-4830-994b-9210534ab9f2",
      "741616fd-4713-426d-8861-3ccae4ba994e",
    ]);
  });

  // A catch-all rule (pins no event name): every record by an assumed role issued by a Role.
  it("detects exactly the 76 records made by an assumed IAM role", () => {
    const expected = records
      .filter((r) => {
        const ui = r.userIdentity as {
          type?: string;
          sessionContext?: { sessionIssuer?: { type?: string } };
        };
        return ui?.type === "AssumedRole" && ui.sessionContext?.sessionIssuer?.type === "Role";
      })
      .map((r) => r.eventID)
      .sort();
    assert.equal(expected.length, 76);
    assert.deepEqual(found.get("AWS STS AssumeRole Misuse"), expected);
  });

  it("raises no other SigmaHQ detection on these samples", () => {
    const sigmaTitles = new Set(
      loaded.ruleSet.rules.filter((r) => r.file.startsWith(sigma)).map((r) => r.title),
    );
    const firing = [...found.keys()].filter((t) => sigmaTitles.has(t)).sort();
    assert.deepEqual(firing, [
      "AWS Bucket Deleted",
      "AWS CloudTrail Important Change",
      "AWS IAM Backdoor Users Keys",
      "AWS STS AssumeRole Misuse",
      "AWS Snapshot Backup Exfiltration",
      "AWS Successful Console Login Without MFA",
      "AWS VPC Flow Logs Deleted",
      "Ingress/Egress Security Group Modification",
      "New Network Route Added",
      "Potential Bucket Enumeration on AWS",
      "Potential Malicious Usage of CloudTrail System Manager",
    ]);
  });

  // Our fixture rules (test/fixtures/rules/corpus-checks) on the same real records, for semantics the
  // SigmaHQ rules do not exercise on this data.

  // Booleans: requestParameters.disableApiTermination.value is JSON false in 1bb6c2f9 and 104596ab.
  it("matches 'false' against the JSON boolean false", () => {
    assert.deepEqual(found.get("Termination protection set to false"), [
      "104596ab-1765-43cf-8e7e-57dc1f676224",
      "1bb6c2f9-b96b-485d-92ad-380e4be8b1b1",
    ]);
  });

  // Booleans inside an array, and exists: 8 RunInstances; 6 have deleteOnTermination [false] in
  // networkInterfaceSet.items, of which 4 failed (errorCode Client.InvalidParameterValue); two
  // (Client.VcpuLimitExceeded) have no interfaces at all.
  it("matches a boolean inside an array and leaves out the failed calls", () => {
    assert.deepEqual(found.get("Instances launched whose network interfaces survive termination"), [
      "86eac0ac-8521-4126-aa32-a22f2b74d02e",
      "8c9d5d59-f65e-4d38-a71b-6d712487cd91",
    ]);
  });

  // Arrays: bucketPolicy.Statement is an array of statements; only d58cf935 has a Principal.AWS
  // (arn:aws:iam::193672423079:root); the other two PutBucketPolicy calls grant Principal.Service.
  it("passes a path through the Statement array of a bucket policy", () => {
    assert.deepEqual(found.get("Bucket policy grants an account root principal"), [
      "d58cf935-0194-41d0-baa0-9efc030ce2e6",
    ]);
  });

  // Object-valued field: requestParameters is an object; its compact JSON contains the principal.
  it("matches the compact JSON of an object-valued field", () => {
    assert.deepEqual(found.get("Bucket policy JSON names a foreign root principal"), [
      "d58cf935-0194-41d0-baa0-9efc030ce2e6",
    ]);
  });

  it("gives the same answer through the index as rule by rule", () => {
    for (const rec of records) {
      const direct = loaded.ruleSet.rules.filter((r) => r.matches(rec)).map((r) => r.id);
      assert.deepEqual(
        loaded.ruleSet.evaluate(rec).map((r) => r.id),
        direct,
        rec.eventID,
      );
    }
  });
});
