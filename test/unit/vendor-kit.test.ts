/**
 * The vendor kit's one error/retry ladder and lost-answer rule (issue 11 items 11 and 12), and the
 * shape that keeps it the only one: no vendor builds its own bad_response error or "never sent"
 * pattern, and no tool computes its own wait deadline (they all use ctx.budget).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AigcError } from "../../src/errors.js";
import { registerSecret } from "../../src/log.js";
import type { HttpResponse } from "../../src/net/http.js";
import { answerWords, httpFailure, malformedResponse, neverSent, retryRejected, statusCategory } from "../../src/vendors/kit/errors.js";
import { lostAnswerError, mayHaveReachedVendor } from "../../src/vendors/kit/lost-answer.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : [],
  );
}

const transport = (code: string, category: "network" | "timeout" = "network") =>
  new AigcError({ category, code: "NetworkError", vendor: "X", message: `request failed: ${code}` }, { cause: { code } });

const response = (status: number, text = "") => ({ status, headers: {}, text: () => text }) as unknown as HttpResponse;

describe("the kit's error and retry ladder", () => {
  it("maps statuses to categories, carrying Retry-After", () => {
    expect([401, 402, 403, 404, 408, 413, 429, 500, 503, 504, 400].map(statusCategory)).toEqual([
      "auth",
      "quota",
      "permission",
      "not_found",
      "timeout",
      "too_large",
      "rate_limit",
      "vendor",
      "vendor",
      "timeout",
      "invalid_input",
    ]);
    const e = httpFailure("X", 429, { "retry-after": "7" }, { code: "Busy", message: "slow down" });
    expect(e.info).toMatchObject({ category: "rate_limit", httpStatus: 429, retryAfterMs: 7000, vendor: "X" });
    expect(httpFailure("X", 429, {}, { category: "quota", code: "Q", message: "m" }).category).toBe("quota");
  });

  it("quotes an answer that is no JSON as words: a web page by its title and text, never its markup", () => {
    const nginx =
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
    expect(answerWords(nginx, 502)).toBe("502 Bad Gateway nginx");
    const cdn = `<!DOCTYPE html><html><head><title>example.com | 502: Bad gateway</title><style>p{}</style></head><body><script>var k="x"</script><p>Bad gateway &amp; more</p></body></html>`;
    expect(answerWords(cdn, 502)).toBe("example.com | 502: Bad gateway: Bad gateway & more");
    expect(answerWords("<!doctype html><body><p>Not found</p></body>", 404)).toBe("Not found");
    expect(answerWords("<!doctype html><html><head><title>My App</title></head><body><div id=root></div></body></html>", 200)).toBe(
      "My App",
    );
    expect(answerWords("<h1>404 Not Found</h1>", 404)).toBe("404 Not Found");
    expect(answerWords("  upstream connect error\n  or disconnect ", 503)).toBe("upstream connect error or disconnect");
    expect(answerWords("", 500)).toBe("HTTP 500 with an empty body");
    expect(answerWords("<html><head><title> </title></head></html>", 500)).toBe("HTTP 500 with an empty body");
    expect(answerWords(`<html><body>${"x".repeat(500)}</body></html>`, 500)).toHaveLength(200);
    expect(answerWords("denied for Bearer sk-abcdefghijklmnopqrstuvwxyz123456", 401)).not.toContain("abcdefghijklmnop");
    // A secret across the 8 KiB the words are read from is redacted whole, never half shown.
    registerSecret("gwk-5f2c9a1e7b3d4c8a9e0f1a2b3c4d5e6f");
    const cut = `<html><body><script>${"x".repeat(8140)}</script><td>key gwk-5f2c9a1e7b3d4c8a9e0f1a2b3c4d5e6f</td></body></html>`;
    expect(answerWords(cut, 200)).not.toContain("gwk-5f2c");
    expect(answerWords(`<html><body><p>${"y".repeat(8180)}<script>`, 200)).not.toMatch(/<s?$/);
  });

  it("says to check the base URL for a web page only when the vendor's own code is absent", () => {
    const html = { "content-type": "text/html; charset=utf-8" };
    const page = httpFailure("X", 404, html, { code: "HTTP404", message: "Not Found", baseUrlVariable: "X_BASE_URL" });
    expect(page.info.hint).toMatch(/web page \(HTML\), not X's API: check that X_BASE_URL/);
    const own = httpFailure("X", 404, html, { code: "ModelNotOpen", message: "m", hint: "activate it", baseUrlVariable: "X_BASE_URL" });
    expect(own.info.hint).toBe("activate it");
  });

  it("tells a request that never left from one that may have reached the vendor", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]) {
      expect(neverSent(transport(code)), code).toBe(true);
      expect(mayHaveReachedVendor(transport(code)), code).toBe(false);
    }
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT"]) {
      expect(neverSent(transport(code)), code).toBe(false);
      expect(mayHaveReachedVendor(transport(code)), code).toBe(true);
    }
    expect(mayHaveReachedVendor(malformedResponse("X", "not JSON"))).toBe(true);
    expect(mayHaveReachedVendor(httpFailure("X", 500, {}, { code: "E", message: "m" }))).toBe(false);
  });

  it("sends a billable request again only when nothing can have been created", () => {
    const policy = retryRejected((res) => /Quota/.test(res.text()));
    expect(policy.shouldRetry(undefined, transport("ECONNREFUSED"))).toBe(true);
    expect(policy.shouldRetry(undefined, transport("ECONNRESET"))).toBe(false);
    expect(policy.shouldRetry(undefined, transport("UND_ERR_HEADERS_TIMEOUT", "timeout"))).toBe(false);
    expect(policy.shouldRetry(response(429), undefined)).toBe(true);
    expect(policy.shouldRetry(response(429, "QuotaExceeded"), undefined)).toBe(false);
    expect(policy.shouldRetry(response(500), undefined)).toBe(false);
  });

  it("words a lost answer as may-have-billed, for a task and for a synchronous call", () => {
    const task = lostAnswerError("ark", transport("ECONNRESET"), "No matching task.");
    expect(task.info).toMatchObject({ code: "CreateAnswerLost", vendor: "ark" });
    expect(task.message).toMatch(/a task may have been created and billed, and the request was not sent again/);
    expect(task.message).not.toMatch(/could not be reached/);
    const sync = lostAnswerError("ark", transport("ECONNRESET"), "No task.", { sync: true });
    expect(sync.message).toMatch(/may have generated the output and billed it/);
  });
});

describe("one ladder, one budget", () => {
  it("no vendor builds its own bad_response error or never-sent pattern; the kit does", () => {
    const offenders = sourceFiles("src/vendors")
      .filter((f) => !f.startsWith("src/vendors/kit/"))
      .filter((f) => /category: "bad_response"|ECONNREFUSED/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("no tool computes its own wait deadline: every one takes ctx.budget", () => {
    const offenders = sourceFiles("src/tools")
      .filter((f) => !["src/tools/define.ts", "src/tools/jobs.ts"].includes(f))
      .filter((f) =>
        /defaultWaitS\s*\)?\s*\*\s*1000|Date\.now\(\)\s*\+\s*\(?\s*(args\.)?wait_seconds/.test(readFileSync(join(ROOT, f), "utf8")),
      );
    expect(offenders).toEqual([]);
  });
});
