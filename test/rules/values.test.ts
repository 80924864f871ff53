import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matches, rule } from "./support.ts";

describe("value matching", () => {
  it("compares strings case-insensitively", () => {
    assert.equal(
      matches("additionalEventData.MFAUsed: 'NO'", { additionalEventData: { MFAUsed: "No" } }),
      true,
    );
  });

  it("does not match a different string", () => {
    assert.equal(matches("eventName: StopLogging", { eventName: "StartLogging" }), false);
  });

  it("does not match a string that only shares a prefix", () => {
    assert.equal(matches("eventName: Stop", { eventName: "StopLogging" }), false);
  });

  it("matches a JSON boolean by its string form", () => {
    assert.equal(
      matches("responseElements.publiclyAccessible: 'true'", {
        responseElements: { publiclyAccessible: true },
      }),
      true,
    );
  });

  it("matches a YAML boolean value against a JSON boolean", () => {
    assert.equal(matches("requestParameters.enable: false", { requestParameters: { enable: false } }), true);
  });

  it("matches a JSON number by its string form", () => {
    assert.equal(matches("requestParameters.port: '22'", { requestParameters: { port: 22 } }), true);
  });

  it("matches a YAML number against a numeric string", () => {
    assert.equal(matches("requestParameters.port: 22", { requestParameters: { port: "22" } }), true);
  });

  it("treats * as any run of characters", () => {
    assert.equal(matches("eventName: 'Delete*Policy'", { eventName: "DeleteBucketPolicy" }), true);
  });

  it("lets * match nothing", () => {
    assert.equal(matches("eventName: 'Delete*Policy'", { eventName: "DeletePolicy" }), true);
  });

  it("treats ? as exactly one character", () => {
    assert.equal(matches("eventName: 'Get?'", { eventName: "GetX" }), true);
    assert.equal(matches("eventName: 'Get?'", { eventName: "Get" }), false);
  });

  it("matches a literal * written as \\*", () => {
    assert.equal(matches("userAgent: 'a\\*b'", { userAgent: "a*b" }), true);
    assert.equal(matches("userAgent: 'a\\*b'", { userAgent: "axxb" }), false);
  });

  it("matches a literal ? written as \\?", () => {
    assert.equal(matches("userAgent: 'what\\?'", { userAgent: "what?" }), true);
    assert.equal(matches("userAgent: 'what\\?'", { userAgent: "whatx" }), false);
  });

  it("keeps a single backslash before an ordinary character", () => {
    assert.equal(matches("userAgent: 'C:\\Windows'", { userAgent: "c:\\windows" }), true);
  });

  it("reads \\\\* as a backslash followed by a wildcard", () => {
    assert.equal(matches("userAgent: 'dir\\\\*'", { userAgent: "dir\\anything" }), true);
  });

  it("reads \\\\\\* as a backslash followed by a literal star", () => {
    assert.equal(matches("userAgent: 'dir\\\\\\*'", { userAgent: "dir\\*" }), true);
    assert.equal(matches("userAgent: 'dir\\\\\\*'", { userAgent: "dir\\x" }), false);
  });

  it("reads four backslashes as two", () => {
    assert.equal(matches("userAgent: 'a\\\\\\\\b'", { userAgent: "a\\\\b" }), true);
  });

  it("matches a wildcard pattern without backtracking into a wrong answer", () => {
    assert.equal(matches("userAgent: '*ab*abc'", { userAgent: "xxababxabc" }), true);
    assert.equal(matches("userAgent: '*ab*abc'", { userAgent: "xxababxab" }), false);
  });

  it("ORs a list of values", () => {
    assert.equal(matches("eventName: [StopLogging, DeleteTrail]", { eventName: "DeleteTrail" }), true);
  });

  it("ORs a long list of values case-insensitively", () => {
    const list = "eventName: [A1, B2, C3, D4, DeleteTrail]";
    assert.equal(matches(list, { eventName: "deletetrail" }), true);
    assert.equal(matches(list, { eventName: "deletetrails" }), false);
  });

  it("ANDs the fields of a map", () => {
    const r = rule(
      "selection:\n  eventSource: s3.amazonaws.com\n  eventName: DeleteBucket\ncondition: selection",
    );
    assert.equal(r.matches({ eventSource: "s3.amazonaws.com", eventName: "DeleteBucket" }), true);
    assert.equal(r.matches({ eventSource: "ec2.amazonaws.com", eventName: "DeleteBucket" }), false);
  });

  it("ORs a list of maps", () => {
    const r = rule("selection:\n  - eventName: A\n  - sourceIPAddress: AWS Internal\ncondition: selection");
    assert.equal(r.matches({ eventName: "B", sourceIPAddress: "AWS Internal" }), true);
    assert.equal(r.matches({ eventName: "B", sourceIPAddress: "1.2.3.4" }), false);
  });

  it("matches null against a missing field", () => {
    assert.equal(matches("errorCode: null", { eventName: "x" }), true);
  });

  it("matches null against a JSON null", () => {
    assert.equal(matches("errorCode: null", { errorCode: null }), true);
  });

  it("does not match null against a present value", () => {
    assert.equal(matches("errorCode: null", { errorCode: "AccessDenied" }), false);
  });

  it("matches an empty string only against an empty string", () => {
    assert.equal(matches("errorCode: ''", { errorCode: "" }), true);
    assert.equal(matches("errorCode: ''", {}), false);
  });

  it("passes a path through arrays and matches when any element matches", () => {
    const rec = {
      requestParameters: { containerDefinitions: [{ command: ["sh"] }, { command: ["curl", "$X"] }] },
    };
    assert.equal(matches("requestParameters.containerDefinitions.command: '$X'", rec), true);
  });

  it("does not match when no array element matches", () => {
    const rec = { requestParameters: { layers: ["a", "b"] } };
    assert.equal(matches("requestParameters.layers: c", rec), false);
  });

  it("matches an object-valued field against its compact JSON", () => {
    const rec = { requestParameters: { VersioningConfiguration: { Status: "Suspended" } } };
    assert.equal(matches(`requestParameters|contains: '"Status":"Suspended"'`, rec), true);
  });

  it("matches an object-valued field against each leaf string", () => {
    const rec = { requestParameters: { policyDocument: '{"Effect":"Allow"}', userName: "bob" } };
    assert.equal(matches("requestParameters: bob", rec), true);
  });

  it("finds a quoted string inside a JSON string leaf of an object", () => {
    const rec = { requestParameters: { policyDocument: '{"Action":"s3:GetObject"}' } };
    assert.equal(matches(`requestParameters|contains: '"s3:GetObject"'`, rec), true);
  });

  it("does not treat a string field as an object", () => {
    assert.equal(matches("userAgent.length: '5'", { userAgent: "abcde" }), false);
  });

  it("searches every value of the record for a keyword", () => {
    const r = rule("keywords:\n  - 'evil.example'\ncondition: keywords");
    assert.equal(r.matches({ requestParameters: { host: "www.evil.example.com" } }), true);
    assert.equal(r.matches({ requestParameters: { host: "good.example.com" } }), false);
  });

  it("does not search field names for a keyword", () => {
    const r = rule("keywords:\n  - 'secretField'\ncondition: keywords");
    assert.equal(r.matches({ secretField: "x" }), false);
  });

  it("requires every keyword of a '|all' keyword map", () => {
    const r = rule("keywords:\n  '|all':\n    - alpha\n    - beta\ncondition: keywords");
    assert.equal(r.matches({ a: "alpha", b: { c: "beta" } }), true);
    assert.equal(r.matches({ a: "alpha" }), false);
  });

  it("compares non-ASCII letters case-insensitively", () => {
    assert.equal(matches("userAgent: 'ÉTÉ'", { userAgent: "été" }), true);
    assert.equal(matches("userAgent|startswith: 'ÄB'", { userAgent: "äbc" }), true);
    assert.equal(matches("userAgent|endswith: 'ÖZ'", { userAgent: "xöz" }), true);
    assert.equal(matches("userAgent|endswith: 'ÖZ'", { userAgent: "xoz" }), false);
  });

  it("compares ASCII capitals in a prefix or suffix without regard to case", () => {
    assert.equal(
      matches("userIdentity.arn|endswith: ':USER/Bob'", { userIdentity: { arn: "arn:aws:iam::1:user/bob" } }),
      true,
    );
    assert.equal(matches("eventName|startswith: 'describe'", { eventName: "DescribeInstances" }), true);
    assert.equal(matches("eventName|startswith: 'describe'", { eventName: "Describ" }), false);
  });
});
