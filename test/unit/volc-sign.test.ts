/** Volcengine V4 signing: the three known-answer vectors of the reference, byte for byte, and the verifier. */
import { describe, expect, it } from "vitest";
import {
  canonicalQueryString,
  rfc3986,
  sha256Hex,
  signVolcRequest,
  verifyVolcRequest,
  type SignInput,
} from "../../src/vendors/visual/sign.js";

const creds = { accessKeyId: "AKLTEXAMPLEACCESSKEY", secretKey: "EXAMPLESECRETKEY==" };
const date = new Date("2025-01-01T00:00:00Z");
const SUBMIT_BODY = '{"req_key":"jimeng_t2i_v30","prompt":"a cat"}';
const POLL_BODY = '{"req_key":"jimeng_t2i_v40","task_id":"7392616336519610409","req_json":"{\\"return_url\\":true}"}';

function input(action: string, body: string, extra: Partial<SignInput> = {}): SignInput {
  return {
    method: "POST",
    path: "/",
    query: { Action: action, Version: "2022-08-31" },
    headers: {},
    body,
    credentials: creds,
    region: "cn-north-1",
    service: "cv",
    date,
    ...extra,
  };
}

describe("Volcengine V4 signing known-answer vectors", () => {
  it("vector 1: Node-SDK style submit", () => {
    const out = signVolcRequest(input("CVSync2AsyncSubmitTask", SUBMIT_BODY, { headers: { "Content-Type": "application/json" } }));
    expect(out.headers["X-Content-Sha256"]).toBe("bfab69fb5361a5af769744a0592c3e1bee34e2aa5d7fdfc85bb486582d30c9c0");
    expect(out.headers["X-Date"]).toBe("20250101T000000Z");
    expect(out.canonicalRequest).toBe(
      [
        "POST",
        "/",
        "Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
        "x-content-sha256:bfab69fb5361a5af769744a0592c3e1bee34e2aa5d7fdfc85bb486582d30c9c0",
        "x-date:20250101T000000Z",
        "",
        "x-content-sha256;x-date",
        "bfab69fb5361a5af769744a0592c3e1bee34e2aa5d7fdfc85bb486582d30c9c0",
      ].join("\n"),
    );
    expect(out.stringToSign).toBe(
      "HMAC-SHA256\n20250101T000000Z\n20250101/cn-north-1/cv/request\nc0edc3670003cc69075ea9a9d5d4bfab430f24bc9e30721eed833e8e3d3005c3",
    );
    expect(out.headers.Authorization).toBe(
      "HMAC-SHA256 Credential=AKLTEXAMPLEACCESSKEY/20250101/cn-north-1/cv/request, SignedHeaders=x-content-sha256;x-date, Signature=b9121f8755e551eb15f0074c2dad18408799a6cf4abc9c151b76f8faa6cac940",
    );
  });

  it("vector 2: Python-SDK style (content-type and host signed)", () => {
    const out = signVolcRequest(
      input("CVSync2AsyncSubmitTask", SUBMIT_BODY, {
        style: "python",
        headers: { "Content-Type": "application/json", Host: "visual.volcengineapi.com" },
      }),
    );
    expect(out.canonicalRequest).toBe(
      [
        "POST",
        "/",
        "Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
        "content-type:application/json",
        "host:visual.volcengineapi.com",
        "x-content-sha256:bfab69fb5361a5af769744a0592c3e1bee34e2aa5d7fdfc85bb486582d30c9c0",
        "x-date:20250101T000000Z",
        "",
        "content-type;host;x-content-sha256;x-date",
        "bfab69fb5361a5af769744a0592c3e1bee34e2aa5d7fdfc85bb486582d30c9c0",
      ].join("\n"),
    );
    expect(sha256Hex(out.canonicalRequest)).toBe("25966b29e98937a8738d4e8c4ef072028370c8922f7294584643a6f68935d976");
    expect(out.stringToSign).toBe(
      "HMAC-SHA256\n20250101T000000Z\n20250101/cn-north-1/cv/request\n25966b29e98937a8738d4e8c4ef072028370c8922f7294584643a6f68935d976",
    );
    expect(out.signature).toBe("18272859d338ad65124fb6869977ffe54885914b03dc20fa42fe45864a8208e5");
    expect(out.signedHeaders).toBe("content-type;host;x-content-sha256;x-date");
  });

  it("vector 3: Node-SDK style poll with a req_json string", () => {
    const out = signVolcRequest(input("CVSync2AsyncGetResult", POLL_BODY));
    expect(out.headers["X-Content-Sha256"]).toBe("72bc0f27b583a6cd9fb1a5acdb4dcd116821b16384838a8e4fc7a8eebac52b1e");
    expect(out.canonicalRequest).toBe(
      [
        "POST",
        "/",
        "Action=CVSync2AsyncGetResult&Version=2022-08-31",
        "x-content-sha256:72bc0f27b583a6cd9fb1a5acdb4dcd116821b16384838a8e4fc7a8eebac52b1e",
        "x-date:20250101T000000Z",
        "",
        "x-content-sha256;x-date",
        "72bc0f27b583a6cd9fb1a5acdb4dcd116821b16384838a8e4fc7a8eebac52b1e",
      ].join("\n"),
    );
    expect(out.stringToSign.split("\n").slice(0, 3)).toEqual(["HMAC-SHA256", "20250101T000000Z", "20250101/cn-north-1/cv/request"]);
    expect(out.headers.Authorization).toBe(
      "HMAC-SHA256 Credential=AKLTEXAMPLEACCESSKEY/20250101/cn-north-1/cv/request, SignedHeaders=x-content-sha256;x-date, Signature=b4f7d4ff03d2708d7947682dcddffd0df97cdeb0da7466c3facfa0d6a4553758",
    );
  });

  it("an STS session token is sent as X-Security-Token and signed", () => {
    const out = signVolcRequest(input("CVSync2AsyncSubmitTask", SUBMIT_BODY, { credentials: { ...creds, sessionToken: "STS-TOKEN" } }));
    expect(out.headers["X-Security-Token"]).toBe("STS-TOKEN");
    expect(out.signedHeaders).toBe("x-content-sha256;x-date;x-security-token");
    expect(out.canonicalRequest).toContain("\nx-security-token:STS-TOKEN\n");
  });

  it("canonical query: sorted, RFC 3986, empty values kept", () => {
    expect(canonicalQueryString({ Version: "2022-08-31", Action: "CVProcess" })).toBe("Action=CVProcess&Version=2022-08-31");
    expect(canonicalQueryString({ b: "a b*", a: "~x/y", c: null })).toBe("a=~x%2Fy&b=a%20b%2A&c=");
    expect(rfc3986("it's (ok)!")).toBe("it%27s%20%28ok%29%21");
  });
});

describe("verifyVolcRequest", () => {
  const now = date.getTime();
  const secretFor = (ak: string) => (ak === creds.accessKeyId ? creds.secretKey : undefined);
  function received(style: "node" | "python", body = SUBMIT_BODY, tamper?: (h: Record<string, string>) => void) {
    const base = { "content-type": "application/json", host: "visual.volcengineapi.com" };
    const out = signVolcRequest(input("CVSync2AsyncSubmitTask", body, { style, headers: style === "python" ? base : {} }));
    const headers: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(out.headers)) headers[k.toLowerCase()] = v;
    tamper?.(headers);
    return {
      method: "POST",
      path: "/",
      rawQuery: "Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
      headers,
      body: Buffer.from(body),
      secretFor,
      nowMs: now,
    };
  }

  it("accepts both signed-header styles", () => {
    expect(verifyVolcRequest(received("node"))).toMatchObject({
      ok: true,
      accessKeyId: creds.accessKeyId,
      signedHeaders: ["x-content-sha256", "x-date"],
    });
    expect(verifyVolcRequest(received("python"))).toMatchObject({
      ok: true,
      signedHeaders: ["content-type", "host", "x-content-sha256", "x-date"],
    });
  });

  it("rejects a stale X-Date, a changed body, a wrong secret, an unknown key and a changed signed header", () => {
    expect(verifyVolcRequest({ ...received("node"), nowMs: now + 16 * 60_000 })).toMatchObject({ ok: false, code: "InvalidTimestamp" });
    expect(verifyVolcRequest({ ...received("node"), body: Buffer.from(SUBMIT_BODY.replace("cat", "dog")) })).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
      message: expect.stringMatching(/X-Content-Sha256/),
    });
    expect(verifyVolcRequest({ ...received("node"), secretFor: () => "other" })).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
    expect(verifyVolcRequest({ ...received("node"), secretFor: () => undefined })).toMatchObject({ ok: false, code: "InvalidAccessKey" });
    expect(verifyVolcRequest(received("python", SUBMIT_BODY, (h) => (h.host = "evil.example.com")))).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
    expect(verifyVolcRequest({ ...received("node"), rawQuery: "Action=CVProcess&Version=2022-08-31" })).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
    expect(verifyVolcRequest({ ...received("node"), headers: {} })).toMatchObject({ ok: false, code: "MissingAuthenticationToken" });
  });
});
