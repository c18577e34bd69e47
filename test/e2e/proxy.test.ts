/**
 * deploy/nginx.conf run by a real nginx in front of two built servers, its upstream names pointed
 * at them: MCP sessions reach the replica that made them (a client sticks to one; a session on the
 * other is found through its 404), a session whose replica died gets 404 and the client starts a
 * new one, and /healthz is served while a replica is down. Needs the `nginx` binary (Debian:
 * nginx-light; .ci/run installs it); without it the test fails saying so, it never skips.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ROOT } from "../helpers/compose.js";
import { tempDir } from "../helpers/harness.js";
import { startHttpServer } from "./helpers.js";
import { freePort } from "../helpers/ports.js";

const TOKEN = "e2e-proxy-token-000000000000";
const NGINX = ["/usr/sbin/nginx", "nginx"].find((bin) => !spawnSync(bin, ["-v"]).error);

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e-proxy", version: "1" } },
};
const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** Opens a session on `base` (a replica directly, or the proxy) and returns its id. */
async function openSession(base: string): Promise<string> {
  const res = await fetch(`${base}/mcp`, { method: "POST", headers: HEADERS, body: JSON.stringify(INIT) });
  expect(res.status).toBe(200);
  await res.text();
  const id = res.headers.get("mcp-session-id")!;
  const ack = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  expect(ack.status).toBe(202);
  return id;
}

/** tools/list in session `id` through `base` (from the address `dispatcher` binds, if given): the HTTP status. */
async function listTools(base: string, id: string, dispatcher?: Agent): Promise<number> {
  const res = await undiciFetch(`${base}/mcp`, {
    ...(dispatcher ? { dispatcher } : {}),
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  });
  await res.text();
  return res.status;
}

describe("deploy/nginx.conf in front of two replicas", () => {
  const replicas: { base: string; child: ChildProcess }[] = [];
  let proxy: ChildProcess;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    if (!NGINX) throw new Error("nginx is not installed: install it (Debian/Ubuntu: `apt-get install -y nginx-light`; .ci/run does this)");
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const s = await startHttpServer({ AIGC_MCP_AUTH_TOKEN: TOKEN, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-proxy-") }, [
        "--port",
        String(port),
      ]);
      replicas.push({ base: `http://127.0.0.1:${port}`, child: s.child });
    }
    const proxyPort = await freePort();
    base = `http://127.0.0.1:${proxyPort}`;
    dir = tempDir("aigc-e2e-nginx-");
    // The committed file, with only its addresses changed: the compose service names to the test's replicas.
    const site = readFileSync(`${ROOT}deploy/nginx.conf`, "utf8")
      .replaceAll("aigc-mcp-1:8787", replicas[0]!.base.slice(7))
      .replaceAll("aigc-mcp-2:8787", replicas[1]!.base.slice(7))
      .replace(/listen 80;/, `listen 127.0.0.1:${proxyPort};`)
      .replace("/var/log/nginx/access.log", `${dir}/access.log`);
    writeFileSync(join(dir, "site.conf"), site);
    writeFileSync(
      join(dir, "nginx.conf"),
      `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}
       http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
              fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s; include ${dir}/site.conf; }`,
    );
    proxy = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    proxy?.kill("SIGKILL");
    for (const r of replicas) r.child.kill("SIGKILL");
  });

  it("an SDK client works through the proxy: initialize, then its session's requests", async () => {
    const client = new Client({ name: "e2e-proxy", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
    for (let i = 0; i < 5; i++) expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it("a session made on either replica is reached through the proxy (the other replica's 404 is passed on)", async () => {
    for (const r of replicas) {
      const id = await openSession(r.base);
      for (let i = 0; i < 3; i++) expect(await listTools(base, id)).toBe(200);
    }
  });

  it("a session whose replica died gets 404 whichever replica its client is hashed to first, and a new one works", async () => {
    // Clients on eight loopback addresses: the hash sends some to the dead replica first, some last.
    const clients = Array.from({ length: 8 }, (_, i) => new Agent({ connect: { localAddress: `127.0.0.${i + 1}` } }));
    const ids = await Promise.all(clients.map(() => openSession(replicas[1]!.base)));
    replicas[1]!.child.kill("SIGKILL");
    await new Promise((r) => replicas[1]!.child.once("exit", r));
    const statuses = await Promise.all(clients.map((dispatcher, i) => listTools(base, ids[i]!, dispatcher)));
    expect(statuses).toEqual(clients.map(() => 404));
    const again = await openSession(base);
    expect(await listTools(base, again)).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await Promise.all(clients.map((c) => c.close()));
  });

  it("logs requests without their query strings (a signed URL is a credential for its file)", async () => {
    await (await fetch(`${base}/media/some-file.mp4?exp=1&sig=secret-signature`)).text();
    // nginx writes the line once the answer is sent, so it may come a moment after it.
    let log = "";
    for (let i = 0; i < 50 && !log.includes("/media/"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = readFileSync(join(dir, "access.log"), "utf8");
    }
    expect(log).toContain('"GET /media/some-file.mp4 HTTP/1.1"');
    expect(log).not.toContain("secret-signature");
    // Requests of a session are logged under the path the client used.
    expect(log).toContain('"POST /mcp HTTP/1.1"');
    expect(log).not.toContain("_mcp_session");
  });
});
