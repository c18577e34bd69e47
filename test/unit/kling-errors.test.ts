/** Kling's error codes: each maps to a category, a hint and the request id. */
import { describe, expect, it } from "vitest";
import { KLING_CODES, klingError } from "../../src/vendors/kling/errors.js";

const answer = (status: number, text = "", headers: Record<string, string> = {}, requestId?: string) => ({
  status,
  headers,
  requestId,
  text: () => text,
});

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
    const e = klingError(answer(status), { code, message: "m", request_id: "rid-1" });
    expect(e.info).toMatchObject({ category, code: String(code), httpStatus: status, requestId: "rid-1", vendor: "Kling" });
    expect(e.info.hint).toBe(KLING_CODES[code]!.hint);
    expect(e.info.hint!.length).toBeGreaterThan(20);
  });
  it("names the clock for 1003/1004 and the region for 1002", () => {
    expect(klingError(answer(401), { code: 1004 }).info.hint).toMatch(/clock/);
    expect(klingError(answer(401), { code: 1002 }).info.hint).toMatch(/KLING_BASE_URL/);
    expect(klingError(answer(429), { code: 1303 }).info.category).toBe("rate_limit");
    expect(klingError(answer(429, "", { "retry-after": "2" }), { code: 1303 }).info.retryAfterMs).toBe(2000);
  });
  it("reads a web page by its title and says to check KLING_BASE_URL", () => {
    const page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
    expect(klingError(answer(502, page, { "content-type": "text/html" }, "x-rid"), undefined).info).toMatchObject({
      category: "vendor",
      code: "HTTP502",
      requestId: "x-rid",
      message: "502 Bad Gateway nginx",
      hint: expect.stringMatching(/web page .*KLING_BASE_URL/),
    });
  });
  it("keeps Kling's own hint for its code in an answer labelled text/html", () => {
    const e = klingError(answer(429, "{}", { "content-type": "text/html" }), { code: 1102, message: "pack used up" });
    expect(e.info).toMatchObject({ category: "quota", code: "1102", hint: KLING_CODES[1102]!.hint });
  });
  it("takes an unknown code in a 200 envelope as Kling's fault", () => {
    expect(klingError(answer(200), { code: 9999, message: "odd" }).info).toMatchObject({
      category: "vendor",
      code: "9999",
      message: "odd",
    });
  });
});
