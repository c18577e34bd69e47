/** Kling's error codes: each maps to a category, a hint and the request id. */
import { describe, expect, it } from "vitest";
import { KLING_CODES, klingError } from "../../src/vendors/kling/errors.js";

describe("Kling error codes", () => {
  const cases: Array<[number, number, string]> = [
    [401, 1000, "auth"],
    [401, 1001, "auth"],
    [401, 1002, "auth"],
    [401, 1003, "auth"],
    [401, 1004, "auth"],
    [429, 1100, "permission"],
    [429, 1101, "quota"],
    [429, 1102, "quota"],
    [403, 1103, "permission"],
    [400, 1200, "invalid_input"],
    [400, 1201, "invalid_input"],
    [404, 1202, "invalid_input"],
    [404, 1203, "not_found"],
    [400, 1300, "content_policy"],
    [400, 1301, "content_policy"],
    [429, 1302, "rate_limit"],
    [429, 1303, "rate_limit"],
    [429, 1304, "permission"],
    [500, 5000, "vendor"],
    [503, 5001, "vendor"],
    [504, 5002, "vendor"],
  ];
  it.each(cases)("HTTP %i code %i → %s with a hint and the request id", (status, code, category) => {
    const e = klingError(status, { code, message: "m", request_id: "rid-1" });
    expect(e.info).toMatchObject({ category, code: String(code), httpStatus: status, requestId: "rid-1", vendor: "Kling" });
    expect(e.info.hint).toBe(KLING_CODES[code]!.hint);
    expect(e.info.hint!.length).toBeGreaterThan(20);
  });
  it("names the clock for 1003/1004 and the region for 1002", () => {
    expect(klingError(401, { code: 1004 }).info.hint).toMatch(/clock/);
    expect(klingError(401, { code: 1002 }).info.hint).toMatch(/KLING_BASE_URL/);
    expect(klingError(429, { code: 1303 }).info.category).toBe("rate_limit");
    expect(klingError(429, { code: 1303 }, "rid", "", 2000).info.retryAfterMs).toBe(2000);
    expect(klingError(502, undefined, "x-rid", "<html>bad gateway</html>").info).toMatchObject({
      category: "vendor",
      code: "HTTP502",
      requestId: "x-rid",
    });
  });
});
