/** Issue 11 item 7 through the built server: large stdio messages work, over-limit ones get an error, and the server says why it exits. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmptyResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { makePng } from "../../src/sandbox/media-fixtures.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { stdioClient } from "./helpers.js";

/** A PNG of exactly `bytes` bytes (a small image, then padding after IEND) as a data: URI. */
function pngDataUri(bytes: number): string {
  const png = makePng(64, 64);
  return `data:image/png;base64,${Buffer.concat([png, Buffer.alloc(bytes - png.length)]).toString("base64")}`;
}

describe("stdio message sizes", () => {
  let ark: ArkSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    ark = await new ArkSimulator({ imageDelayMs: 20, maxRenderEdge: 256 }).start();
    env = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-"), AIGC_MCP_LOG_LEVEL: "info" };
  });
  afterAll(() => ark.close());

  it("takes an 8 000 000-byte image as a data: URI (10.7 MB of JSON)", async () => {
    const { client, stderr } = await stdioClient(env);
    const r = (await client.callTool(
      { name: "seedream_generate_image", arguments: { prompt: "big reference", images: [pngDataUri(8_000_000)] } },
      undefined,
      { timeout: 60_000 },
    )) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { status: string }).status).toBe("succeeded");
    await client.close();
    await new Promise((res) => setTimeout(res, 300));
    expect(stderr()).toMatch(/aigc-mcp exiting: stdin ended/);
  }, 90_000);

  it("answers a message over the limit with an error naming it, and keeps serving", async () => {
    const { client, stderr } = await stdioClient({ ...env, AIGC_MCP_STDIO_MAX_MESSAGE_BYTES: String(2 * 1024 * 1024) });
    await expect(
      client.callTool({ name: "seedream_generate_image", arguments: { prompt: "too big", images: [pngDataUri(3_000_000)] } }),
    ).rejects.toThrow(
      /over the stdio limit of 2097152 bytes \(AIGC_MCP_STDIO_MAX_MESSAGE_BYTES\).*file path, an http\(s\) URL or a media:\/\/ URI/,
    );
    expect((await client.listTools()).tools.length).toBeGreaterThan(3);
    const r = (await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "small after big" } })) as CallToolResult;
    expect((r.structuredContent as { status: string }).status).toBe("succeeded");
    await client.close();
    expect(stderr()).toMatch(/over the size limit was refused/);
  }, 60_000);

  it("answers a message with too many _meta keys with an error naming the limit, and keeps serving", async () => {
    const { client, stderr } = await stdioClient(env);
    const _meta = Object.fromEntries(Array.from({ length: 350_000 }, (_, i) => [`k${i}`, 0]));
    await expect(client.request({ method: "ping", params: { _meta } }, EmptyResultSchema)).rejects.toThrow(
      /Invalid Request: an object in the message \(params\._meta included\) has more than 1000 members/,
    );
    await client.ping();
    await client.close();
    expect(stderr()).toMatch(/over the keys limit was refused/);
  }, 60_000);
});
