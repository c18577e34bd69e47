import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parseCoreConfig } from "../../../src/config.js";
import { createContext, type AppContext } from "../../../src/context.js";
import { ArkSimulator } from "../../../src/vendors/ark/simulator.js";
import { loadVendors } from "../../../src/plugins.js";
import { serveHttp, type HttpHandle } from "../../../src/transports/http.js";
import { FAST_ENGINE, logLines, tempDir } from "../../helpers/harness.js";

const TOKEN = "test-token-0123456789abcdef";

async function start(extra: Record<string, string> = {}): Promise<{ app: AppContext; http: HttpHandle; ark: ArkSimulator }> {
  const ark = await new ArkSimulator({
    queuedMs: 150,
    runningMs: extra.AIGC_MCP_SSE_KEEPALIVE_S ? 10_000 : 400,
    imageDelayMs: 10,
    maxRenderEdge: 256,
  }).start();
  const env = {
    AIGC_MCP_OUTPUT_DIR: tempDir(),
    AIGC_MCP_TRANSPORT: "http",
    AIGC_MCP_PORT: "0",
    ARK_API_KEY: ark.apiKey,
    ARK_BASE_URL: ark.baseUrl,
    ...extra,
  };
  const core = parseCoreConfig(env);
  const app = await createContext(core, await loadVendors(env, core), FAST_ENGINE);
  return { app, http: await serveHttp(app), ark };
}

const init = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const post = (url: string, headers: Record<string, string>, body: unknown = init) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("HTTP transport with a token", () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({
      AIGC_MCP_AUTH_TOKEN: TOKEN,
      AIGC_MCP_ALLOWED_HOSTS: "aigc.internal",
      AIGC_MCP_ALLOWED_ORIGINS: "https://app.example",
      AIGC_MCP_MAX_BODY_BYTES: "4096",
    });
  });
  afterAll(async () => {
    await s.app.close();
    await s.http.close();
    await s.ark.close();
  });

  it("requires the Bearer token", async () => {
    expect((await post(s.http.url, {})).status).toBe(401);
    expect((await post(s.http.url, { authorization: "Bearer wrong-token-0000000000" })).status).toBe(401);
    expect((await post(s.http.url, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("rejects Hosts and Origins that are not allowed with 403", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    // fetch cannot forge Host, so use a raw request for it
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve) => {
      const u = new URL(s.http.url);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: "/mcp",
          method: "POST",
          headers: { host: "evil.example", ...auth, "content-type": "application/json" },
        },
        (res) => resolve(res.statusCode!),
      );
      req.end(JSON.stringify(init));
    });
    expect(status).toBe(403);
    const allowedHost = await new Promise<number>((resolve) => {
      const u = new URL(s.http.url);
      const req = request({ host: u.hostname, port: u.port, path: "/healthz", headers: { host: "aigc.internal:8787" } }, (res) =>
        resolve(res.statusCode!),
      );
      req.end();
    });
    expect(allowedHost).toBe(200);
    expect((await post(s.http.url, { ...auth, origin: "https://evil.example" })).status).toBe(403);
    expect((await post(s.http.url, { ...auth, origin: "https://app.example" })).status).toBe(200);
    expect((await post(s.http.url, { ...auth, origin: "http://localhost:6274" })).status).toBe(200);
  });

  it("caps the request body", async () => {
    const r = await post(s.http.url, { authorization: `Bearer ${TOKEN}` }, { ...init, padding: "x".repeat(10_000) });
    expect(r.status).toBe(413);
  });

  it("answers a request of an unknown session 404 under the request's own id (null for a notification or a batch)", async () => {
    const stale = { authorization: `Bearer ${TOKEN}`, "mcp-session-id": "no-such-session", "mcp-protocol-version": "2025-11-25" };
    const list = { jsonrpc: "2.0", id: 42, method: "tools/list" };
    for (const [body, id] of [
      [list, 42],
      [{ ...list, id: "req-7" }, "req-7"],
      [{ jsonrpc: "2.0", method: "notifications/initialized" }, null],
      [[list, { ...list, id: 43 }], null],
    ] as const) {
      const r = await post(s.http.url, stale, body);
      expect(r.status).toBe(404);
      expect(await r.json(), JSON.stringify(body)).toMatchObject({
        jsonrpc: "2.0",
        id,
        error: { code: -32001, message: /Session not found/ },
      });
    }
  });

  it("serves /healthz and answers unknown paths with 404", async () => {
    const h = await fetch(s.http.url.replace("/mcp", "/healthz"));
    expect(await h.json()).toMatchObject({ status: "ok", vendors: ["ark"] });
    expect((await fetch(s.http.url.replace("/mcp", "/other"))).status).toBe(404);
  });

  it("works with the SDK client and a token header, with and without sessions", async () => {
    const client = new Client({ name: "t", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(s.http.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
    const r = await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "over http" } });
    expect((r.structuredContent as { status: string }).status).toBe("succeeded");
    await client.close();
    // A client that never initializes (one request, no session) still gets an answer.
    const raw = await post(
      s.http.url,
      { authorization: `Bearer ${TOKEN}`, "mcp-protocol-version": "2025-11-25" },
      { jsonrpc: "2.0", id: 7, method: "tools/list", params: {} },
    );
    expect(raw.status).toBe(200);
    expect(await raw.text()).toMatch(/seedream_generate_image/);
  });

  it("runs a tool call sent without a session, and the job it started resumes by id in another sessionless request", async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, "mcp-protocol-version": "2025-11-25" };
    const call = (id: number, name: string, args: unknown) =>
      post(s.http.url, auth, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
    const answer = async (r: Response) => {
      expect(r.status).toBe(200);
      expect(r.headers.get("mcp-session-id")).toBeNull();
      // as the README says: an SSE stream whose message event's data line is the answer
      expect(r.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const json = /^data: (.*)$/m.exec(await r.text())![1]!;
      return (JSON.parse(json) as { result: { structuredContent: { status: string; job_id: string } } }).result.structuredContent;
    };
    const started = await answer(await call(8, "seedance_generate_video", { prompt: "sessionless", wait_seconds: 0 }));
    expect(started.status).not.toBe("succeeded");
    const done = await answer(await call(9, "wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
    expect(done).toMatchObject({ status: "succeeded", job_id: started.job_id });
  });
});

describe("HTTP start-up safety", () => {
  it("refuses to bind a non-loopback host without a token, though a configuration that parse refuses reached it", async () => {
    const env = { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PORT: "0" };
    const core = { ...parseCoreConfig(env), host: "0.0.0.0" };
    const app = await createContext(core, []);
    await expect(serveHttp(app)).rejects.toThrow(/without AIGC_MCP_AUTH_TOKEN/);
  });
});

describe("HTTP on every interface without AIGC_MCP_ALLOWED_HOSTS", () => {
  it("warns at start-up that only loopback names are answered, and still refuses the machine's address", async () => {
    const s = await start({ AIGC_MCP_HOST: "0.0.0.0", AIGC_MCP_AUTH_TOKEN: TOKEN });
    try {
      const port = new URL(s.http.url).port;
      const warning = logLines.find((l) => /WARN listening on 0\.0\.0\.0 but AIGC_MCP_ALLOWED_HOSTS is not set/.test(l));
      expect(warning).toContain(`http://127.0.0.1:${port}/mcp`);
      expect(warning).toMatch(/e\.g\. AIGC_MCP_ALLOWED_HOSTS=\S+/);
      // fetch cannot forge Host: a raw request, as a client using the machine's address sends it
      const { request } = await import("node:http");
      const byAddress = await new Promise<number>((resolve) => {
        const headers = { host: `192.0.2.2:${port}`, authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
        request({ host: "127.0.0.1", port, path: "/mcp", method: "POST", headers }, (res) => resolve(res.statusCode!)).end(
          JSON.stringify(init),
        );
      });
      expect(byAddress).toBe(403);
    } finally {
      await s.app.close();
      await s.http.close();
      await s.ark.close();
    }
  });
});

describe("HTTP keep-alive during long calls", () => {
  it("sends SSE keep-alive comments while a tool call waits", async () => {
    const s = await start({ AIGC_MCP_SSE_KEEPALIVE_S: "1" });
    try {
      const call = {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "seedance_generate_video", arguments: { prompt: "keep me alive", wait_seconds: 3 } },
      };
      const r = await post(s.http.url, { "mcp-protocol-version": "2025-11-25" }, call);
      expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
      const body = await r.text();
      expect((body.match(/^: keepalive$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
      expect(body).toMatch(/"job_id"/);
    } finally {
      await s.app.close();
      await s.http.close();
      await s.ark.close();
    }
  });
});
