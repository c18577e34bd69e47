/**
 * `npm run demo`: starts `aigc-mcp --sandbox --http` (no keys, no network), then acts like a user
 * with the SDK's real Client: lists tools, generates an image, starts a video that outlives its
 * wait budget, disconnects, resumes the job from a brand-new session, then tries Kling, Animo and
 * the AI Gateway tools (chat with a JSON Schema, speech, transcription, embeddings, rerank).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const say = (s = "") => process.stdout.write(s + "\n");

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function connect(url: string, name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

function show(result: CallToolResult): void {
  for (const block of result.content) {
    if (block.type === "text") say(block.text.replace(/^/gm, "    "));
    else if (block.type === "resource") say(`    [embedded ${block.resource.mimeType}: ${block.resource.uri}]`);
    else if (block.type === "resource_link") say(`    [link ${block.mimeType}: ${block.uri}]`);
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const outputDir = resolve(process.env.AIGC_MCP_OUTPUT_DIR ?? "demo-output");
  const entry = fileURLToPath(new URL("./index.js", import.meta.url));
  const server = spawn(process.execPath, [entry, "--sandbox", "--http", "--port", String(port)], {
    env: { ...process.env, AIGC_MCP_OUTPUT_DIR: outputDir, AIGC_MCP_LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        if (i > 100) throw new Error("the sandbox server did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    say(`aigc-mcp sandbox running at ${url} (simulated vendors, no keys, no network)\nOutput folder: ${outputDir}\n`);

    const a = await connect(url, "demo-session-1");
    const { tools } = await a.listTools();
    say(`1. tools/list: ${tools.length} tools`);
    for (const t of tools) say(`   - ${t.name}: ${t.title ?? ""}`);

    say(`\n2. seedream_generate_image (text-to-image, waits for the result):`);
    show(
      (await a.callTool({
        name: "seedream_generate_image",
        arguments: { prompt: "a red panda reading a map, watercolour", size: "2048x2048" },
      })) as CallToolResult,
    );

    say(`\n2b. jimeng_generate_image (Volcengine Visual, Jimeng 4.0, signed AK/SK requests):`);
    show(
      (await a.callTool({
        name: "jimeng_generate_image",
        arguments: {
          prompt: "a red panda on a misty mountain, ink painting",
          width: 2560,
          height: 1440,
          logo: { add: true, language: "en" },
        },
      })) as CallToolResult,
    );

    say(`\n3. seedance_generate_video with wait_seconds=3 (the video takes longer, so we get a job handle):`);
    const started = (await a.callTool(
      {
        name: "seedance_generate_video",
        arguments: { prompt: "the red panda walks through a bamboo forest", duration: 5, return_last_frame: true, wait_seconds: 3 },
      },
      undefined,
      { onprogress: (p) => say(`    progress ${p.progress}s: ${p.message ?? ""}`) },
    )) as CallToolResult;
    show(started);
    const jobId = (started.structuredContent as { job_id: string }).job_id;
    await a.close();
    say(`\n   (session 1 closed; the job keeps running on the server)`);

    say(`\n4. A new session resumes the job with wait_for_job:`);
    const b = await connect(url, "demo-session-2");
    const done = (await b.callTool({ name: "wait_for_job", arguments: { job_id: jobId, wait_seconds: 30 } }, undefined, {
      onprogress: (p) => say(`    progress ${p.progress}s: ${p.message ?? ""}`),
      timeout: 60_000,
    })) as CallToolResult;
    show(done);

    say(`\n5. kling_text_to_video (Kling AI, waits for the MP4):`);
    show(
      (await b.callTool(
        { name: "kling_text_to_video", arguments: { prompt: "a paper boat drifting down a rainy street", duration: 5, wait_seconds: 30 } },
        undefined,
        { timeout: 60_000 },
      )) as CallToolResult,
    );
    say(`\n5b. animo_generate_video (the MP4 arrives as the response body and is streamed to disk):`);
    show(
      (await b.callTool(
        {
          name: "animo_generate_video",
          arguments: { prompt: "a paper crane unfolds into a bird", duration: 4, style: "anime", wait_seconds: 30 },
        },
        undefined,
        { timeout: 60_000 },
      )) as CallToolResult,
    );

    say(`\n5c. AI Gateway: gateway_chat with a JSON Schema (streamed, validated, returned as structuredContent.json):`);
    const chat = (await b.callTool(
      {
        name: "gateway_chat",
        arguments: {
          prompt: "Suggest a title and three tags for a short film about a paper crane.",
          response_format: {
            name: "film",
            schema: {
              type: "object",
              properties: { title: { type: "string" }, tags: { type: "array", items: { type: "string" }, minItems: 3 } },
              required: ["title", "tags"],
            },
          },
        },
      },
      undefined,
      { onprogress: (p) => say(`    progress ${p.progress}s: ${p.message ?? ""}`) },
    )) as CallToolResult;
    show(chat);
    say(`\n5d. gateway_speech (text-to-speech, streamed to disk and embedded) then gateway_transcribe of that file:`);
    const speech = (await b.callTool(
      {
        name: "gateway_speech",
        arguments: { text: "The paper crane took flight over the bamboo forest.", format: "mp3", wait_seconds: 30 },
      },
      undefined,
      { timeout: 60_000 },
    )) as CallToolResult;
    show(speech);
    const audioUri = (speech.structuredContent as { assets?: Array<{ uri: string }> }).assets?.[0]?.uri;
    if (audioUri) show((await b.callTool({ name: "gateway_transcribe", arguments: { audio: audioUri } })) as CallToolResult);
    say(`\n5e. gateway_embed and gateway_rerank:`);
    show(
      (await b.callTool({
        name: "gateway_embed",
        arguments: { texts: ["paper crane", "bamboo forest"], dimensions: 256 },
      })) as CallToolResult,
    );
    show(
      (await b.callTool({
        name: "gateway_rerank",
        arguments: {
          query: "origami bird",
          documents: ["How to fold a paper crane bird", "Bamboo grows fast", "Origami animals for beginners"],
          top_n: 2,
        },
      })) as CallToolResult,
    );

    say(`\n6. list_jobs:`);
    show((await b.callTool({ name: "list_jobs", arguments: { limit: 5 } })) as CallToolResult);
    await b.close();
    say(`\nDone. The generated files are in ${outputDir}`);
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
