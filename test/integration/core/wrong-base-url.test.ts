/**
 * A base URL that points at a web server, not the vendor's API (tryout finding): its HTML error
 * pages are answered with what to check, the variable named, never "check the model name" or "the
 * vendor had an internal problem".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";

/** A web server that answers every request with an HTML error page of `status`. */
async function webServer(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { "content-type": "text/html;charset=utf-8" });
    res.end(
      `<!DOCTYPE HTML><html><head><title>Error response</title><style>p{}</style></head><body><h1>Error response</h1><p>Error code: ${status}</p></body></html>`,
    );
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a base URL that is a web server, not the vendor's API", () => {
  let h: Harness;
  let missing: { url: string; server: Server };
  let broken: { url: string; server: Server };
  beforeAll(async () => {
    missing = await webServer(404);
    broken = await webServer(501);
    h = await startHarness({
      env: {
        ARK_BASE_URL: `${missing.url}/api/v3`,
        KLING_BASE_URL: broken.url,
        VOLC_VISUAL_BASE_URL: missing.url,
        AI_GATEWAY_BASE_URL: `${broken.url}/v1`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    missing.server.close();
    broken.server.close();
  });

  it.each([
    ["seedream_generate_image", { prompt: "a kite" }, "Ark", "ARK_BASE_URL", false],
    ["kling_generate_image", { prompt: "a kite" }, "Kling", "KLING_BASE_URL", true],
    ["jimeng_generate_image", { prompt: "a kite" }, "Volcengine Visual", "VOLC_VISUAL_BASE_URL", false],
    ["gateway_chat", { prompt: "hi", max_tokens: 10 }, "AI Gateway", "AI_GATEWAY_BASE_URL", true],
  ])("%s names the variable to check", async (tool, args, vendor, variable, serverError) => {
    const r = await h.call(tool, args);
    expect(r.isError).toBe(true);
    const [first, advice] = text(r).split("\n");
    expect(first).toMatch(/^Error: HTTP(404|501) /);
    expect(first).toMatch(/Error response Error code: (404|501)/); // the page's words, not its markup
    expect(first).not.toMatch(/[<>]|p\{/);
    expect(advice).toContain(
      `What to do: The answer was a web page (HTML), not ${vendor}'s API: check that ${variable} is ${vendor}'s API base URL`,
    );
    if (serverError) expect(advice).toMatch(/a proxy in front of .* answered for it: try again in a few minutes\.$/);
    expect(text(r)).not.toMatch(/model name|internal problem|catalog may be stale/);
  });
});

describe("a base URL that answers every path with a web page and 200 (a portal, a single-page site)", () => {
  let h: Harness;
  let site: { url: string; server: Server };
  beforeAll(async () => {
    site = await webServer(200);
    h = await startHarness({
      env: {
        ARK_BASE_URL: `${site.url}/api/v3`,
        KLING_BASE_URL: site.url,
        VOLC_VISUAL_BASE_URL: site.url,
        AI_GATEWAY_BASE_URL: `${site.url}/v1`,
        ANIMO_ENDPOINT: `${site.url}/generate`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    site.server.close();
  });

  // Most often the vendor never saw such a request, but a proxy in front of it may have answered after
  // it did the work: the variable is named, and nothing is said to be unbilled or sent again.
  it.each([
    ["seedream_generate_image", { prompt: "a kite" }, "Ark", "ARK_BASE_URL", /^Error: NotVendorApi \(Ark, HTTP 200\)/],
    ["seedance_generate_video", { prompt: "a kite", duration: 5 }, "Ark", "ARK_BASE_URL", /^Error: CreateAnswerLost \(Ark\).*NotVendorApi/],
    ["jimeng_generate_image", { prompt: "a kite" }, "Volcengine Visual", "VOLC_VISUAL_BASE_URL", /^Error: CreateAnswerLost .*NotVendorApi/],
    [
      "gateway_chat",
      { prompt: "hi", max_tokens: 10 },
      "AI Gateway",
      "AI_GATEWAY_BASE_URL",
      /^Error: NotVendorApi \(AI Gateway, HTTP 200\)/,
    ],
  ])("%s names the variable, quotes the page and never says it is unbilled", async (tool, args, vendor, variable, first) => {
    const r = await h.call(tool, tool === "gateway_chat" ? args : { ...args, wait_seconds: 10 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(first);
    expect(text(r)).toContain("answered with a web page (HTTP 200, text/html;charset=utf-8: Error response Error code: 200)");
    expect(text(r)).toContain(
      `What to do: The answer was a web page (HTML), not ${vendor}'s API: check that ${variable} is ${vendor}'s API base URL; if it is, a proxy or firewall in front of ${vendor} answered instead, possibly after ${vendor} did the work`,
    );
    expect(text(r)).not.toMatch(/nothing was created or billed|not billed|catalog may be stale|try again in a minute/);
  });

  it("a Kling create answered by a page is never sent again: its job polls by the external id and says what to check", async () => {
    const r = await h.call("kling_text_to_video", { prompt: "a kite", wait_seconds: 5 });
    const job = jobOf(r);
    expect(job.status).toBe("queued");
    expect(job.detail).toMatch(
      /^A web page answered this server's request for the task's status, not Kling's API \(NotVendorApi, HTTP 200: .*check that KLING_BASE_URL/,
    );
  });
});
