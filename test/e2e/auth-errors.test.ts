/**
 * Issue 12 item 14: with a wrong or missing token, clients (mcp-remote, the Inspector) show our
 * answers. A 401 carries `WWW-Authenticate: Bearer` and names the header; the OAuth discovery and
 * registration paths they probe next answer 404 saying the server uses a static bearer token.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { startHttpServer } from "./helpers.js";

const TOKEN = "e2e-token-0123456789abcdef";

describe("HTTP token errors", () => {
  let url: string;
  let child: ChildProcess;
  beforeAll(async () => {
    ({ url, child } = await startHttpServer({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-auth-"), AIGC_MCP_AUTH_TOKEN: TOKEN }));
  }, 30_000);
  afterAll(() => {
    child.removeAllListeners("exit");
    child.kill();
  });

  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(init),
    });

  it("answers a missing or wrong token with 401, WWW-Authenticate: Bearer and the header to send", async () => {
    const basic = `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`;
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: basic }, { authorization: TOKEN }] as Record<
      string,
      string
    >[]) {
      const r = await post(headers);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
      const body = await r.text();
      expect(body).toMatch(/Authorization: Bearer/);
      expect(body).toMatch(/AIGC_MCP_AUTH_TOKEN/);
      expect(body).not.toContain(TOKEN);
    }
    expect(await (await post({})).text()).toMatch(/no Authorization header/);
    expect(await (await post({ authorization: "Bearer wrong" })).text()).toMatch(/does not match/);
    // Another scheme is not a token that "does not match": the answer says a Bearer token is expected.
    const other = await (await post({ authorization: basic })).text();
    expect(other).toMatch(/^Unauthorized: an Authorization header of the Basic scheme was sent; a Bearer token is expected\./);
    expect(other).not.toContain(basic.slice(6));
    expect(await (await post({ authorization: "Bearer" })).text()).toMatch(/without a token was sent; a Bearer token is expected/);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("answers OAuth discovery and registration probes with 404 saying the token is static", async () => {
    const origin = new URL(url).origin;
    for (const [method, path] of [
      ["GET", "/.well-known/oauth-protected-resource/mcp"],
      ["GET", "/.well-known/oauth-protected-resource"],
      ["GET", "/.well-known/oauth-authorization-server"],
      ["GET", "/.well-known/openid-configuration"],
      ["POST", "/register"],
    ] as const) {
      const r = await fetch(origin + path, { method, ...(method === "POST" ? { body: "{}" } : {}) });
      expect(r.status, path).toBe(404);
      const body = (await r.json()) as { error: string; error_description: string };
      expect(body.error_description).toMatch(/static bearer token/);
      expect(body.error_description).toMatch(/AIGC_MCP_AUTH_TOKEN/);
      expect(body.error_description).toMatch(/Authorization: Bearer/);
    }
    const other = await fetch(origin + "/elsewhere");
    expect(await other.text()).toMatch(/the MCP endpoint is \/mcp/);
  });
});
