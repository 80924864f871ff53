import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base64Offsets } from "../../src/rules/modifiers.ts";
import { matches, problemsOf, rule } from "./support.ts";

describe("modifiers", () => {
  it("contains matches a value anywhere in the field", () => {
    assert.equal(matches("userAgent|contains: 'S3 Browser'", { userAgent: "Mozilla s3 browser 9.1" }), true);
  });

  it("contains does not match a missing field", () => {
    assert.equal(matches("errorMessage|contains: '*'", {}), false);
  });

  it("contains '*' matches any present string, even an empty one", () => {
    assert.equal(matches("errorMessage|contains: '*'", { errorMessage: "" }), true);
  });

  it("startswith matches a prefix only", () => {
    assert.equal(
      matches("eventName|startswith: Update", { eventName: "UpdateFunctionConfiguration20150331v2" }),
      true,
    );
    assert.equal(matches("eventName|startswith: Update", { eventName: "NoUpdate" }), false);
  });

  it("endswith matches a suffix only", () => {
    assert.equal(matches("eventName|endswith: Policy", { eventName: "PutBucketPolicy" }), true);
    assert.equal(matches("eventName|endswith: Policy", { eventName: "PolicyX" }), false);
  });

  it("all requires every value of the list", () => {
    const entry = "requestParameters|contains|all: ['s3:GetObject', 'Allow']";
    assert.equal(matches(entry, { requestParameters: { p: "s3:GetObject Allow" } }), true);
    assert.equal(matches(entry, { requestParameters: { p: "s3:GetObject Deny" } }), false);
  });

  it("re matches a regular expression anywhere in the value", () => {
    assert.equal(
      matches("userIdentity.arn|re: ':assumed-role/aws:'", {
        userIdentity: { arn: "arn:aws:sts::1:assumed-role/aws:ec2/i-1" },
      }),
      true,
    );
  });

  it("re is case-sensitive by default", () => {
    assert.equal(matches("userAgent|re: '^Boto3'", { userAgent: "boto3/1.0" }), false);
  });

  it("re|i matches case-insensitively", () => {
    assert.equal(matches("userAgent|re|i: '^Boto3'", { userAgent: "boto3/1.0" }), true);
  });

  it("re|m lets ^ match after a newline", () => {
    assert.equal(matches("errorMessage|re: '^two'", { errorMessage: "one\ntwo" }), false);
    assert.equal(matches("errorMessage|re|m: '^two'", { errorMessage: "one\ntwo" }), true);
  });

  it("re|s lets . match a newline", () => {
    assert.equal(matches("errorMessage|re: 'one.two'", { errorMessage: "one\ntwo" }), false);
    assert.equal(matches("errorMessage|re|s: 'one.two'", { errorMessage: "one\ntwo" }), true);
  });

  it("re with the catastrophic pattern (a+)+$ returns on a long 'aaaa…!' value", () => {
    // A backtracking engine takes exponential time here; re2js is linear, so this simply completes.
    const r = rule("selection:\n  userAgent|re: '(a+)+$'\ncondition: selection");
    assert.equal(r.matches({ userAgent: `${"a".repeat(100_000)}!` }), false);
    assert.equal(r.matches({ userAgent: "a".repeat(100_000) }), true);
  });

  it("exists: true matches a present field, even a null one", () => {
    assert.equal(matches("errorCode|exists: true", { errorCode: null }), true);
    assert.equal(matches("errorCode|exists: true", {}), false);
  });

  it("exists: false matches a missing field", () => {
    assert.equal(matches("errorCode|exists: false", {}), true);
    assert.equal(matches("errorCode|exists: false", { errorCode: "x" }), false);
  });

  it("cidr matches an IPv4 address inside the network", () => {
    assert.equal(matches("sourceIPAddress|cidr: 10.0.0.0/8", { sourceIPAddress: "10.20.30.40" }), true);
    assert.equal(matches("sourceIPAddress|cidr: 10.0.0.0/8", { sourceIPAddress: "11.0.0.1" }), false);
  });

  it("cidr matches an IPv6 address inside the network", () => {
    assert.equal(
      matches("sourceIPAddress|cidr: '2001:db8::/32'", { sourceIPAddress: "2001:db8:1::5" }),
      true,
    );
    assert.equal(matches("sourceIPAddress|cidr: '2001:db8::/32'", { sourceIPAddress: "2001:db9::5" }), false);
  });

  it("cidr does not match a value that is not an IP address", () => {
    assert.equal(matches("sourceIPAddress|cidr: 0.0.0.0/0", { sourceIPAddress: "AWS Internal" }), false);
  });

  it("neq matches a present field with a different value", () => {
    assert.equal(matches("userIdentity.type|neq: Root", { userIdentity: { type: "IAMUser" } }), true);
    assert.equal(matches("userIdentity.type|neq: Root", { userIdentity: { type: "root" } }), false);
  });

  it("neq does not match a missing field", () => {
    assert.equal(matches("userIdentity.type|neq: Root", {}), false);
  });

  it("lt, lte, gt and gte compare numbers", () => {
    const rec = { requestParameters: { maxResults: 50 } };
    assert.equal(matches("requestParameters.maxResults|lt: 51", rec), true);
    assert.equal(matches("requestParameters.maxResults|lt: 50", rec), false);
    assert.equal(matches("requestParameters.maxResults|lte: 50", rec), true);
    assert.equal(matches("requestParameters.maxResults|gt: 49", rec), true);
    assert.equal(matches("requestParameters.maxResults|gt: 50", rec), false);
    assert.equal(matches("requestParameters.maxResults|gte: 50", rec), true);
  });

  it("numeric modifiers read numeric strings and ignore other text", () => {
    assert.equal(matches("requestParameters.n|gt: 5", { requestParameters: { n: "10" } }), true);
    assert.equal(matches("requestParameters.n|gt: 5", { requestParameters: { n: "ten" } }), false);
  });

  it("fieldref compares a field with another field of the same record", () => {
    const r = rule(
      "selection:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: selection",
    );
    assert.equal(
      r.matches({ userIdentity: { userName: "Bob" }, requestParameters: { userName: "bob" } }),
      true,
    );
    assert.equal(
      r.matches({ userIdentity: { userName: "bob" }, requestParameters: { userName: "alice" } }),
      false,
    );
  });

  it("fieldref combined with contains looks for the other field's value inside", () => {
    const r = rule(
      "selection:\n  userIdentity.arn|fieldref|contains: requestParameters.userName\ncondition: selection",
    );
    assert.equal(
      r.matches({ userIdentity: { arn: "arn:aws:iam::1:user/bob" }, requestParameters: { userName: "bob" } }),
      true,
    );
  });

  it("fieldref does not match when the other field is missing", () => {
    assert.equal(
      matches("userIdentity.arn|fieldref: requestParameters.userName", { userIdentity: { arn: "x" } }),
      false,
    );
  });

  it("cased compares case-sensitively", () => {
    assert.equal(matches("eventName|cased: StopLogging", { eventName: "stoplogging" }), false);
    assert.equal(matches("eventName|cased: StopLogging", { eventName: "StopLogging" }), true);
  });

  it("base64 matches the base64 form of the value", () => {
    assert.equal(
      matches("requestParameters.userData|base64: '#!/bin/bash'", {
        requestParameters: { userData: "IyEvYmluL2Jhc2g=" },
      }),
      true,
    );
  });

  it("base64offset produces the three shifted encodings the spec describes", () => {
    assert.deepEqual(base64Offsets(Buffer.from("/bin/bash")), ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]);
  });

  it("base64offset|contains finds the value at any offset inside base64 text", () => {
    const entry = "requestParameters.userData|base64offset|contains: 'curl http'";
    for (const prefix of ["", "x", "xy"]) {
      const encoded = Buffer.from(`${prefix}curl http://x`).toString("base64");
      assert.equal(matches(entry, { requestParameters: { userData: encoded } }), true, prefix);
    }
  });

  it("utf16le|base64offset|contains finds wide text inside base64", () => {
    const encoded = Buffer.from("xxIEXyy", "utf16le").toString("base64");
    assert.equal(matches("userAgent|utf16le|base64offset|contains: IEX", { userAgent: encoded }), true);
  });

  it("windash matches the other dash and slash forms of a flag", () => {
    const entry = "requestParameters.command|windash|contains: ' -enc '";
    assert.equal(matches(entry, { requestParameters: { command: "powershell /enc abc" } }), true);
    assert.equal(matches(entry, { requestParameters: { command: "powershell \u2013enc abc" } }), true);
    assert.equal(matches(entry, { requestParameters: { command: "powershell +enc abc" } }), false);
  });

  it("expand replaces a placeholder by each configured value", () => {
    const r = rule("selection:\n  sourceIPAddress|expand: '%office%'\ncondition: selection", {
      office: ["192.0.2.*", "198.51.100.7"],
    });
    assert.equal(r.matches({ sourceIPAddress: "192.0.2.44" }), true);
    assert.equal(r.matches({ sourceIPAddress: "198.51.100.7" }), true);
    assert.equal(r.matches({ sourceIPAddress: "203.0.113.1" }), false);
  });

  it("expand keeps text around a placeholder and an escaped percent sign", () => {
    const r = rule("selection:\n  userAgent|expand: '\\%x-%tool%'\ncondition: selection", {
      tool: ["aws-cli"],
    });
    assert.equal(r.matches({ userAgent: "%x-aws-cli" }), true);
  });

  it("a placeholder without expand is a literal value", () => {
    assert.equal(matches("userAgent: '%tool%'", { userAgent: "%tool%" }), true);
  });

  it("rejects a placeholder that has no configured value", () => {
    assert.deepEqual(problemsOf("selection:\n  userAgent|expand: '%tool%'\ncondition: selection"), [
      "t.yml:8:23: [test-rule] placeholder %tool% has no value: set placeholders.tool in the configuration",
    ]);
  });

  it("utf16be|base64 matches big-endian UTF-16 text in base64", () => {
    const encoded = Buffer.from("cmd", "utf16le").swap16().toString("base64");
    assert.equal(matches("userAgent|utf16be|base64: cmd", { userAgent: encoded }), true);
  });

  it("utf16|base64 matches UTF-16 text with a byte order mark in base64", () => {
    const encoded = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("cmd", "utf16le")]).toString(
      "base64",
    );
    assert.equal(matches("userAgent|utf16|base64: cmd", { userAgent: encoded }), true);
  });

  it("wide is utf16le", () => {
    const encoded = Buffer.from("cmd", "utf16le").toString("base64");
    assert.equal(matches("userAgent|wide|base64: cmd", { userAgent: encoded }), true);
  });

  it("rejects base64 of a value with wildcards", () => {
    assert.deepEqual(problemsOf("selection:\n  userAgent|base64: 'a*'\ncondition: selection"), [
      't.yml:8:23: [test-rule] "base64" cannot encode a value with wildcards or placeholders',
    ]);
  });
});
