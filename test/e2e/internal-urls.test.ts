/**
 * Issue 12 item 6 through the built server over HTTP, as a self-hosted Dify calls it: a file URL on
 * Dify's internal host is refused before Ark is called, naming the host, AIGC_MCP_FETCH_ALLOW_HOSTS
 * and FILES_URL; the same kind of URL on a host listed in AIGC_MCP_FETCH_ALLOW_HOSTS is downloaded
 * and reaches Ark as bytes.
 */
import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../src/sandbox/media-fixtures.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir, text } from "../helpers/harness.js";
import { lastRequest, mark } from "../helpers/results.js";
import { startHttpServer } from "./helpers.js";

const TOKEN = "e2e-internal-urls-token-0000";
const png = makePng(64, 64, 5);

describe("built server over HTTP with Dify's internal file URLs", () => {
  let ark: ArkSimulator;
  let files: Server;
  let filesHost: string;
  let server: { url: string; child: ChildProcess };
  let client: Client;
  beforeAll(async () => {
    ark = await new ArkSimulator({ imageDelayMs: 5, maxRenderEdge: 64 }).start();
    files = await new Promise<Server>((resolve) => {
      const s = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(png)).listen(0, "127.0.0.1", () =>
        resolve(s),
      );
    });
    filesHost = `127.0.0.1:${(files.address() as AddressInfo).port}`;
    server = await startHttpServer({
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-internal-"),
      AIGC_MCP_AUTH_TOKEN: TOKEN,
      AIGC_MCP_FETCH_ALLOW_HOSTS: filesHost,
    });
    client = new Client({ name: "e2e-dify", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
  });
  afterAll(async () => {
    await client?.close();
    server?.child.kill();
    files?.close();
    await ark?.close();
  });

  it("refuses http://api:5001/files/… before calling Ark, and sends an allow-listed host's file as bytes", async () => {
    const before = mark(ark);
    const refused = (await client.callTool({
      name: "seedream_generate_image",
      arguments: { prompt: "make it blue", images: ["http://api:5001/files/tools/9f0c2a.png?timestamp=1&sign=abc"] },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^Error: UnreachableUrl: images\[0\]: http:\/\/api:5001\/files\/tools\/9f0c2a\.png is on api:5001/);
    expect(text(refused)).toMatch(/FILES_URL.*AIGC_MCP_FETCH_ALLOW_HOSTS/s);
    expect(before.since()).toHaveLength(0);

    const sent = (await client.callTool({
      name: "seedream_generate_image",
      arguments: { prompt: "make it blue", images: [`http://${filesHost}/files/tools/9f0c2a.png?sign=abc`] },
    })) as CallToolResult;
    expect(sent.isError, text(sent)).toBeFalsy();
    const image = (lastRequest(ark, "/images/generations").json as { image: string | string[] }).image;
    expect([image].flat()).toEqual([`data:image/png;base64,${png.toString("base64")}`]);
  });
});
