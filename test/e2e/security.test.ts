/** Issue 11 through the built server: DNS rebinding over HTTP (item 1), secrets in config errors and logs (item 6). */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { run, startHttpServer, stdioClient } from "./helpers.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const outputDir = () => mkdtempSync(join(tmpdir(), "aigc-e2e-sec-"));

const init = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

function postWithHost(url: string, host: string, origin?: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: "/mcp",
        method: "POST",
        headers: {
          host,
          ...(origin ? { origin } : {}),
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on("error", reject);
    req.end(init);
  });
}

describe("DNS rebinding over HTTP (default config: loopback, no token)", () => {
  let server: { url: string; child: ChildProcess };
  let port: string;
  beforeAll(async () => {
    server = await startHttpServer({ AIGC_MCP_OUTPUT_DIR: outputDir() }, ["--sandbox"]);
    port = new URL(server.url).port;
  });
  afterAll(() => void server.child.kill());

  it("refuses names that only look like loopback, with or without a matching Origin", async () => {
    for (const name of ["127.0.0.1.rebind.attacker.example", "127.attacker.example", "localhost.attacker.example"]) {
      expect(await postWithHost(server.url, `${name}:${port}`, `http://${name}:${port}`)).toBe(403);
      expect(await postWithHost(server.url, `${name}:${port}`)).toBe(403);
      expect(await postWithHost(server.url, name)).toBe(403);
    }
  });

  it("accepts loopback literals and localhost", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect(await postWithHost(server.url, host)).toBe(200);
    expect(await postWithHost(server.url, `127.0.0.1:${port}`, `http://localhost:6274`)).toBe(200);
    expect(await postWithHost(server.url, `127.0.0.1:${port}`, `http://127.0.0.1.rebind.attacker.example:${port}`)).toBe(403);
  });
});

describe("config errors", () => {
  it("name a bad secret variable without showing its value", async () => {
    const r = await run(["--http"], { AIGC_MCP_OUTPUT_DIR: outputDir(), AIGC_MCP_AUTH_TOKEN: "hunter2-short" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AIGC_MCP_AUTH_TOKEN: must be at least 16 characters/);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("refuse a token that is only whitespace, or too short once trimmed", async () => {
    for (const [token, says] of [
      [" ".repeat(20), /AIGC_MCP_AUTH_TOKEN: is only whitespace \(20 characters\)/],
      ["  hunter2-short \n", /AIGC_MCP_AUTH_TOKEN: must be at least 16 characters .*it has 13 characters/],
    ] as const) {
      const r = await run(["--http"], { AIGC_MCP_OUTPUT_DIR: outputDir(), AIGC_MCP_AUTH_TOKEN: token });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).not.toContain("hunter2");
    }
  });

  it("refuse a public URL holding a password, a query or a fragment at start-up, without showing the password", async () => {
    const r = await run(["--http"], {
      AIGC_MCP_OUTPUT_DIR: outputDir(),
      AIGC_MCP_PUBLIC_URL: "https://user:pw-Zq7@x.example/a?b=1#c",
      AIGC_MCP_MEDIA_URL_SECRET: "s".repeat(32),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AIGC_MCP_PUBLIC_URL: must not hold a user name or password/);
    expect(r.stderr).not.toContain("pw-Zq7");
  });

  it("do the same for a vendor credential", async () => {
    const r = await run([], { AIGC_MCP_OUTPUT_DIR: outputDir(), ARK_API_KEY: "Zk9#x" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ARK_API_KEY/);
    expect(r.stderr).not.toContain("Zk9#x");
  });
});

describe("--sandbox with real vendor keys in the environment", () => {
  it("never shows them, though the sandbox does not use them (a tool argument that holds one, the log)", async () => {
    const key = "ark-REALKEY-9f8e7d6c5b4a39281706";
    const { client, stderr } = await stdioClient(
      { AIGC_MCP_OUTPUT_DIR: outputDir(), ARK_API_KEY: `${key}\n`, AIGC_MCP_LOG_LEVEL: "debug" },
      ["--sandbox"],
    );
    try {
      const r = await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "a cat", model: key, wait_seconds: 5 } });
      expect(JSON.stringify(r)).not.toContain(key);
      expect(JSON.stringify(r)).toContain("[redacted]");
    } finally {
      await client.close();
    }
    expect(stderr()).not.toContain(key);
  });
});

describe("a token from a secret file (surrounding whitespace, a trailing newline)", () => {
  for (const configured of ["tok_ABCDEFGHIJKLMNOPQRST\n", "  tok_ABCDEFGHIJKLMNOPQRST  "]) {
    it(`accepts the token without the whitespace: ${JSON.stringify(configured)}`, async () => {
      const server = await startHttpServer({ AIGC_MCP_OUTPUT_DIR: outputDir(), AIGC_MCP_AUTH_TOKEN: configured }, ["--sandbox"]);
      try {
        const send = (authorization: string) =>
          fetch(server.url, {
            method: "POST",
            headers: { authorization, "content-type": "application/json", accept: "application/json, text/event-stream" },
            body: init,
          }).then((r) => r.status);
        expect(await send("Bearer tok_ABCDEFGHIJKLMNOPQRST")).toBe(200);
        expect(await send("Bearer tok_ABCDEFGHIJKLMNOPQRSX")).toBe(401);
      } finally {
        server.child.kill();
      }
    });
  }
});
