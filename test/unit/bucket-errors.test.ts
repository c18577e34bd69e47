import { describe, expect, it } from "vitest";
import { bucketError } from "../../src/media/bucket-errors.js";

/** An error shaped as the AWS SDK v3 throws them: `name` is the S3 code, `$metadata` the HTTP facts. */
const sdk = (name: string, message: string, httpStatusCode?: number, code?: string) =>
  Object.assign(new Error(message), {
    name,
    ...(code ? { code } : {}),
    $metadata: httpStatusCode ? { httpStatusCode, requestId: "R1" } : {},
  });

const TOS = "https://tos-s3-cn-beijing.volces.com";
const fail = (err: unknown, endpoint: string | undefined = TOS) => bucketError(err, "b", endpoint, "reading x.png");
const failOnAws = (err: unknown) => bucketError(err, "b", undefined, "reading x.png");

describe("object storage errors say what to change from how the store failed", () => {
  it("an answer with an S3 code is explained by its code, not by what its status often means", () => {
    const e = fail(sdk("ExpiredToken", "The provided token has expired.", 400));
    expect(e.code).toBe("ExpiredToken");
    expect(e.info.requestId).toBe("R1");
    expect(e.message).toBe("object storage: reading x.png in bucket b failed (HTTP 400): The provided token has expired.");
    expect(e.info.hint).toMatch(/AWS_SESSION_TOKEN, which expires/);
  });

  it("an answer without a code (HEAD) gets what its status means, an expired session token included for 400", () => {
    const e = fail(sdk("UnknownError", "UnknownError", 400));
    expect(e.message).toMatch(/\(often a wrong AIGC_MCP_S3_REGION, .*or an expired AWS_SESSION_TOKEN\)$/);
    expect(e.info.hint).toMatch(/AWS_SESSION_TOKEN credentials\.$/);
  });

  it("a refused signature names the credentials and the region, which the signature includes", () => {
    expect(fail(sdk("SignatureDoesNotMatch", "The request signature we calculated does not match", 403)).info.hint).toMatch(
      /AWS_SECRET_ACCESS_KEY.*wrong AIGC_MCP_S3_REGION/,
    );
  });

  it("a host name that does not resolve is the endpoint to check, not a store to try again", () => {
    const hint = fail(sdk("Error", "getaddrinfo ENOTFOUND tos-s3-cn-bejing.volces.com", undefined, "ENOTFOUND")).info.hint!;
    expect(hint).toMatch(/does not resolve: check AIGC_MCP_S3_ENDPOINT/);
    expect(hint).not.toMatch(/Try again/);
  });

  it("a store that does not answer is tried again, named as configured: its endpoint, or AWS S3 when none is set", () => {
    const refused = sdk("Error", "connect ECONNREFUSED 127.0.0.1:9000", undefined, "ECONNREFUSED");
    expect(fail(refused).info.hint).toMatch(/Try again in a minute; .*the store at AIGC_MCP_S3_ENDPOINT is up/);
    expect(failOnAws(refused).info.hint).toMatch(/AWS S3 \(AIGC_MCP_S3_ENDPOINT is unset\) is up/);
    expect(fail(sdk("InternalError", "We encountered an internal error.", 500)).info.hint).toMatch(/Try again in a minute/);
    expect(fail(sdk("SlowDown", "Please reduce your request rate.", 503)).info.hint).toMatch(/Try again in a minute/);
  });
});
