import { createHash, createHmac } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import type { JobResult } from "../helpers/results.js";
import { startHttpServer } from "./helpers.js";
import { freePort } from "../helpers/ports.js";

const TOKEN = "e2e-public-url-token-0000000";
const SECRET = "0123456789abcdef0123456789abcdef-media";

/** The documented scheme, written out here independently of the server's code. */
const sign = (name: string, exp: number) => createHmac("sha256", SECRET).update(`media\n${name}\n${exp}`).digest("base64url");

describe("download URLs served by the server itself (AIGC_MCP_PUBLIC_URL)", () => {
  let ark: ArkSimulator;
  let server: { url: string; child: ChildProcess };
  let base: string;
  let outDir: string;
  let image: JobResult["assets"][number];
  let imageBytes: Buffer;

  beforeAll(async () => {
    ark = await new ArkSimulator({ imageDelayMs: 10, maxRenderEdge: 256 }).start();
    const port = await freePort();
    outDir = tempDir("aigc-e2e-public-");
    // The public URL carries a path prefix, as behind a reverse proxy that keeps it.
    base = `http://127.0.0.1:${port}/aigc`;
    server = await startHttpServer(
      {
        ARK_API_KEY: ark.apiKey,
        ARK_BASE_URL: ark.baseUrl,
        AIGC_MCP_OUTPUT_DIR: outDir,
        AIGC_MCP_AUTH_TOKEN: TOKEN,
        AIGC_MCP_PUBLIC_URL: base,
        AIGC_MCP_MEDIA_URL_SECRET: SECRET,
        AIGC_MCP_INLINE_MAX_BYTES: "0",
      },
      ["--port", String(port)],
    );
    const client = new Client({ name: "e2e-public", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
    const r = (await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "a lighthouse" } })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    image = (r.structuredContent as JobResult).assets[0]!;
    // With embedding off, the link clients get is the fetchable URL, and the text names it too.
    const link = r.content.find((c) => c.type === "resource_link");
    expect(link && "uri" in link ? link.uri : undefined).toBe(image.download_url);
    const summary = r.content[0];
    expect(summary?.type === "text" ? summary.text : "").toContain(image.download_url);
    await client.close();
  });
  afterAll(async () => {
    server.child.kill();
    await ark.close();
  });

  it("gives every asset a signed download URL that plain HTTP fetches without the token, bytes matching the sha256", async () => {
    expect(image.download_url).toMatch(new RegExp(`^${base}/media/[^?]+\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const res = await fetch(image.download_url!);
    expect(res.status).toBe(200);
    imageBytes = Buffer.from(await res.arrayBuffer());
    expect(createHash("sha256").update(imageBytes).digest("hex")).toBe(image.sha256);
    expect(res.headers.get("content-type")).toBe(image.mime_type);
    expect(res.headers.get("content-length")).toBe(String(image.bytes));
    expect(res.headers.get("content-disposition")).toContain(`filename="${image.download_url!.split("/media/")[1]!.split("?")[0]}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    const expires = Date.parse(image.download_expires_at!);
    expect(expires - Date.now()).toBeGreaterThan(6.9 * 86400_000);
  });

  it("answers byte ranges (206, suffix ranges) and refuses ones past the end (416)", async () => {
    const first = await fetch(image.download_url!, { headers: { range: "bytes=0-99" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-99/${image.bytes}`);
    expect(Buffer.from(await first.arrayBuffer()).equals(imageBytes.subarray(0, 100))).toBe(true);
    const tail = await fetch(image.download_url!, { headers: { range: "bytes=-10" } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(imageBytes.subarray(-10))).toBe(true);
    const past = await fetch(image.download_url!, { headers: { range: `bytes=${image.bytes}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${image.bytes}`);
    const head = await fetch(image.download_url!, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(image.bytes));
  });

  it("refuses tampered, expired and unsigned URLs with 403, and files it did not generate with 404", async () => {
    const url = new URL(image.download_url!);
    const name = decodeURIComponent(url.pathname.split("/").pop()!);
    const tampered = new URL(url);
    tampered.searchParams.set(
      "sig",
      url.searchParams.get("sig")!.replace(/^./, (c) => (c === "A" ? "B" : "A")),
    );
    expect((await fetch(tampered)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 1));
    expect((await fetch(longer)).status).toBe(403);
    const past = Math.floor(Date.now() / 1000) - 5;
    const expired = await fetch(`${base}/media/${name}?exp=${past}&sig=${sign(name, past)}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
    expect((await fetch(`${base}/media/${name}`)).status).toBe(403);
    writeFileSync(join(outDir, "notes.txt"), "private notes");
    const exp = Math.floor(Date.now() / 1000) + 600;
    const other = await fetch(`${base}/media/notes.txt?exp=${exp}&sig=${sign("notes.txt", exp)}`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("private");
    // The same file is served without the proxy's prefix too (a proxy that strips it).
    const stripped = await fetch(image.download_url!.replace("/aigc/media/", "/media/"));
    expect(stripped.status).toBe(200);
  });

  it("gives no download URL to a file changed since it was saved, and an earlier one answers 404 (it would serve the other bytes); one as saved keeps it", async () => {
    const client = new Client({ name: "e2e-public-changed", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
    try {
      const call = async (name: string, args: Record<string, unknown>) =>
        (await client.callTool({ name, arguments: args })) as CallToolResult;
      const job = (await call("seedream_generate_image", { prompt: "two kites", max_images: 2 })).structuredContent as JobResult;
      const edited = job.assets[0];
      expect((await fetch(edited!.download_url!)).status).toBe(200);
      writeFileSync(edited!.path!, Buffer.alloc(edited!.bytes + 3, 1));
      // A URL handed out before the change does not serve the other bytes either.
      const before = await fetch(edited!.download_url!);
      expect(before.status).toBe(404);
      expect(await before.text()).toMatch(
        /^Not found: this server has no output by this name as it was saved \(removed from the output folder, or changed since it was saved\); if it is a job's output, that job's get_job result/,
      );
      const r = await call("get_job", { job_id: job.job_id });
      const [shownEdited, shownKept] = (r.structuredContent as JobResult).assets;
      expect(shownEdited).toMatchObject({ file: "changed" });
      expect(shownEdited!.download_url).toBeUndefined();
      expect(shownKept!.download_url).toMatch(new RegExp(`^${base}/media/`));
      const text = r.content[0]?.type === "text" ? r.content[0].text : "";
      expect(text.split("\n- ")[1]).not.toContain("download (until");
      expect(text).toContain(`no longer the ${edited!.bytes} bytes generated; download it again from the vendor URL above until`);
    } finally {
      await client.close();
    }
  });

  it("still needs the token for /mcp", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
  });
});
