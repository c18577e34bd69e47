// The work floor for goal 4 (concurrency): a minimal SDK server over Streamable HTTP, built like
// bench/minimal-http-server.mjs, whose three tools do the vendor work of aigc-mcp's calls in the
// bench's mix, and nothing else, with undici's request (the client aigc-mcp uses, and lighter than
// Node's fetch, so the floor is not raised by the client): Seedream (POST, download), Seedance and Kling
// video (create, polls on aigc-mcp's schedule, download); each output hashed and saved to OUT_DIR.
// No job records, spend ledger, download leases, retries or checks: what the work itself costs on
// this machine at the bench's rate, beside the floor that does no work and aigc-mcp that does all of
// it. Reads ARK_BASE_URL, ARK_API_KEY, KLING_BASE_URL, KLING_API_KEY and OUT_DIR; prints its URL
// on stderr. The endpoints are the vendors' documented ones (../shared/reference/vendor-apis.md).
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { z } from "zod";
import { serveStateless } from "./stateless-http.mjs";

const env = /** @type {Record<string, string>} */ (process.env);
const ark = { authorization: `Bearer ${env.ARK_API_KEY}`, "content-type": "application/json" };
const kling = { authorization: `Bearer ${env.KLING_API_KEY}`, "content-type": "application/json" };

/** @param {string} url @param {{ method?: "POST"; headers: Record<string, string>; body?: string }} init */
async function json(url, init) {
  const res = await request(url, init);
  const body = /** @type {any} */ (await res.body.json());
  if (res.statusCode >= 300) throw new Error(`${res.statusCode} ${url}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

let saved = 0;
/** Downloads `url`, hashes and saves it: the asset a result names. @param {string} url @param {string} ext */
async function save(url, ext) {
  const bytes = Buffer.from(await (await request(url)).body.arrayBuffer());
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const path = join(env.OUT_DIR ?? ".", `work-${saved++}-${sha256.slice(0, 8)}.${ext}`);
  await writeFile(path, bytes);
  return { url, path, sha256 };
}

/**
 * Polls until `done` returns a URL: first 1 s after the create, then 1.5× longer each time up to
 * `maxMs` (aigc-mcp's schedule: 5 s for Ark, 8 s for Kling).
 * @param {() => Promise<string | undefined>} done @param {number} maxMs
 */
async function poll(done, maxMs) {
  for (let wait = 1000; ; wait = Math.min(maxMs, wait * 1.5)) {
    await sleep(wait);
    const url = await done();
    if (url) return url;
  }
}

/** @param {string} text @param {Record<string, unknown>} structuredContent */
const answer = (text, structuredContent) => ({ content: [{ type: /** @type {const} */ ("text"), text }], structuredContent });

/** @param {import("@modelcontextprotocol/sdk/server/mcp.js").McpServer} server */
function registerTools(server) {
  const prompt = { prompt: z.string().max(4000) };
  server.registerTool("seedream_generate_image", { inputSchema: { ...prompt, size: z.string().optional() } }, async (a) => {
    const body = await json(`${env.ARK_BASE_URL}/images/generations`, {
      method: "POST",
      headers: ark,
      body: JSON.stringify({
        model: "doubao-seedream-5-0-pro-260628",
        prompt: a.prompt,
        size: a.size ?? "1K",
        response_format: "url",
        watermark: false,
      }),
    });
    const asset = await save(body.data[0].url, "jpeg");
    return answer(asset.path, { status: "succeeded", assets: [asset] });
  });
  server.registerTool("seedance_generate_video", { inputSchema: { ...prompt, duration: z.number().optional() } }, async (a) => {
    const base = `${env.ARK_BASE_URL}/contents/generations/tasks`;
    const { id } = await json(base, {
      method: "POST",
      headers: ark,
      body: JSON.stringify({ model: "doubao-seedance-2-0-260128", content: [{ type: "text", text: a.prompt }], duration: a.duration ?? 5 }),
    });
    const url = await poll(async () => {
      const t = await json(`${base}/${id}`, { headers: ark });
      if (t.status === "failed" || t.status === "expired") throw new Error(`task ${id} ${t.status}`);
      return t.status === "succeeded" ? t.content.video_url : undefined;
    }, 5000);
    const asset = await save(url, "mp4");
    return answer(asset.path, { status: "succeeded", vendor_task_id: id, assets: [asset] });
  });
  server.registerTool("kling_text_to_video", { inputSchema: { ...prompt, duration: z.string().optional() } }, async (a) => {
    const base = `${env.KLING_BASE_URL}/v1/videos/text2video`;
    const created = await json(base, {
      method: "POST",
      headers: kling,
      body: JSON.stringify({ model_name: "kling-v3", prompt: a.prompt, duration: a.duration ?? "5" }),
    });
    const id = created.data.task_id;
    const url = await poll(async () => {
      const t = (await json(`${base}/${id}`, { headers: kling })).data;
      if (t.task_status === "failed") throw new Error(`task ${id} failed`);
      return t.task_status === "succeed" ? t.task_result.videos[0].url : undefined;
    }, 8000);
    const asset = await save(url, "mp4");
    return answer(asset.path, { status: "succeeded", vendor_task_id: id, assets: [asset] });
  });
}

serveStateless("work", registerTools);
