/**
 * A browser MCP client in headless Chromium (src/transports/cors.ts): a page whose origin is in
 * AIGC_MCP_ALLOWED_ORIGINS talks Streamable HTTP to the built server with its token (the preflight
 * answered, the session id readable); a loopback page not listed is still accepted by the Origin
 * check but gets no CORS answer, so the browser keeps the answers from it. Code run in the page is
 * given as a string: the test program has no DOM types.
 */
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { findChromium } from "../helpers/video.js";
import { startHttpServer } from "./helpers.js";

const CHROMIUM = findChromium();
const TOKEN = "browser-token-0123456789abcdef";

/** What the page does: initialize, initialized, tools/list; resolves with the tool count and the session id, or the fetch error. */
const SESSION = (url: string) => `(async () => {
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: "Bearer ${TOKEN}" };
  const rpc = async (body, sid) => {
    const r = await fetch(${JSON.stringify(url)}, { method: "POST", headers: sid ? { ...headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" } : headers, body: JSON.stringify(body) });
    const text = await r.text();
    const data = text.split("\\n").find((l) => l.startsWith("data: "));
    return { sid: r.headers.get("mcp-session-id"), answer: data ? JSON.parse(data.slice(6)) : undefined };
  };
  try {
    const init = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "page", version: "1" } } });
    await rpc({ jsonrpc: "2.0", method: "notifications/initialized" }, init.sid);
    const list = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, init.sid);
    return { sid: init.sid, tools: list.answer.result.tools.length };
  } catch (e) {
    return { error: String(e) };
  }
})()`;

async function page(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>client</title>"),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!CHROMIUM)(
  CHROMIUM ? "a browser MCP client" : "a browser MCP client (skipped: no chromium on PATH; .ci/run installs it)",
  () => {
    let browser: Browser;
    let mcp: { url: string; child: ChildProcess };
    let listed: Awaited<ReturnType<typeof page>>;
    let unlisted: Awaited<ReturnType<typeof page>>;

    beforeAll(async () => {
      [listed, unlisted] = [await page(), await page()];
      const env = { AIGC_MCP_OUTPUT_DIR: tempDir("aigc-browser-"), AIGC_MCP_AUTH_TOKEN: TOKEN, AIGC_MCP_ALLOWED_ORIGINS: listed.origin };
      mcp = await startHttpServer(env, ["--sandbox"]);
      const path = CHROMIUM!.includes("/")
        ? CHROMIUM!
        : spawnSync("sh", ["-c", `command -v ${CHROMIUM}`])
            .stdout.toString()
            .trim();
      browser = await chromium.launch({ executablePath: path, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      mcp?.child.kill();
      listed?.server.close();
      unlisted?.server.close();
    });

    async function runFrom(origin: string): Promise<{ sid?: string; tools?: number; error?: string }> {
      const p = await browser.newPage();
      try {
        await p.goto(`${origin}/`);
        return await p.evaluate<{ sid?: string; tools?: number; error?: string }>(SESSION(mcp.url));
      } finally {
        await p.close();
      }
    }

    it("a page on a listed origin opens a session with its token and lists the tools", async () => {
      const got = await runFrom(listed.origin);
      expect(got.error).toBeUndefined();
      expect(got.sid).toMatch(/^[0-9a-f-]{36}$/);
      expect(got.tools).toBeGreaterThan(20);
    });

    it("the preflight is answered without the token, naming the origin; an unlisted one gets none", async () => {
      const preflight = (origin: string) =>
        fetch(mcp.url, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
        });
      const ok = await preflight(listed.origin);
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe(listed.origin);
      expect(ok.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
      const other = await preflight(unlisted.origin);
      expect(other.status).not.toBe(204);
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("a loopback page that is not listed cannot read the server's answers", async () => {
      expect((await runFrom(unlisted.origin)).error).toMatch(/Failed to fetch/);
    });
  },
);
