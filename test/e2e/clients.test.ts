/**
 * Issue 12 (e): the built server through the real client libraries, set up as the README's "Client
 * setup" section says (AIGC_MCP_DELIVERY=link): a LangChain agent with ChatOpenAI and with
 * ChatAnthropic, and the AI SDK's generateText with the OpenAI provider. Their network goes to a
 * scripted chat endpoint on 127.0.0.1, so each request body recorded here is exactly what a model
 * would receive. The script: an image, an over-budget group of 15 images, a video resumed with
 * wait_for_job, an embedding and a refused prompt; then it stops. Asserted: no crash, and no base64
 * and no vector dump in anything sent to the model.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { createAgent } from "langchain";
import { ChatOpenAI } from "@langchain/openai";
import { ChatAnthropic } from "@langchain/anthropic";
import { createMCPClient } from "@ai-sdk/mcp";
import { Experimental_StdioMCPTransport } from "@ai-sdk/mcp/mcp-stdio";
import { generateText, stepCountIs } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { tempDir } from "../helpers/harness.js";
import { ENTRY } from "./helpers.js";

type Call = { name: string; args: Record<string, unknown> };

/** The scripted model: what it asks for next, given everything it has been sent so far. */
function nextCall(step: number, body: string): Call | undefined {
  const ids = body.match(/job_[A-Za-z0-9_-]{40,}/g) ?? [];
  switch (step) {
    case 0:
      return { name: "seedream_generate_image", args: { prompt: "a red panda" } };
    case 1:
      // 15 sandbox images are about 1 MB: over the default 700 kB inline budget.
      return { name: "seedream_generate_image", args: { prompt: "a red panda, series", max_images: 15 } };
    case 2:
      return { name: "seedance_generate_video", args: { prompt: "a cat surfing", wait_seconds: 1 } };
    case 3:
    case 4:
    case 5:
      // Resume the video until the tool says it succeeded (the last job id in the context is the video's).
      if (step > 3 && /succeeded/.test(body.slice(body.lastIndexOf("seedance")))) return nextCall(6, body);
      return { name: "wait_for_job", args: { job_id: ids[ids.length - 1], wait_seconds: 30 } };
    case 6:
      return { name: "gateway_embed", args: { texts: ["paper crane", "bamboo forest"], dimensions: 1024 } };
    case 7:
      return { name: "seedream_generate_image", args: { prompt: "a [blocked] panda" } };
    default:
      return undefined;
  }
}

interface FakeModel {
  url: string;
  bodies: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** An OpenAI chat-completions and Anthropic messages endpoint that plays the script, one tool call per request. */
async function fakeModel(): Promise<FakeModel> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const step = bodies.length;
      bodies.push(body);
      const call = nextCall(step, body);
      const tools = (JSON.parse(body) as { tools?: Array<{ name?: string; function?: { name: string } }> }).tools ?? [];
      const name = call && tools.map((t) => t.function?.name ?? t.name ?? "").find((n) => n === call.name || n.endsWith(`__${call.name}`));
      res.setHeader("content-type", "application/json");
      if (req.url?.endsWith("/messages")) {
        res.end(
          JSON.stringify({
            id: `msg_${step}`,
            type: "message",
            role: "assistant",
            model: "claude-sonnet-4-5",
            content: call
              ? [{ type: "tool_use", id: `toolu_${step}`, name: name ?? call.name, input: call.args }]
              : [{ type: "text", text: "done" }],
            stop_reason: call ? "tool_use" : "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 1 },
          }),
        );
        return;
      }
      res.end(
        JSON.stringify({
          id: `chatcmpl-${step}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: "gpt-4o",
          choices: [
            {
              index: 0,
              message: call
                ? {
                    role: "assistant",
                    content: null,
                    tool_calls: [
                      { id: `call_${step}`, type: "function", function: { name: name ?? call.name, arguments: JSON.stringify(call.args) } },
                    ],
                  }
                : { role: "assistant", content: "done" },
              finish_reason: call ? "tool_calls" : "stop",
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** What must never reach a model: file data (base64) or embedding vectors. */
function expectClean(bodies: string[]): void {
  expect(bodies.length).toBeGreaterThanOrEqual(9);
  for (const body of bodies) {
    expect(body).not.toMatch(/[A-Za-z0-9+/]{2000,}/); // base64 of any file
    expect(body).not.toMatch(/data:(image|video|audio)\//);
    expect(body).not.toMatch(/"blob"/);
    expect(body).not.toMatch(/(-?\d\.\d{3,},\s*){64}/); // a vector dump
    expect(body.length).toBeLessThan(200_000);
  }
  const all = bodies.join("\n");
  expect(all).toMatch(/media:\/\/files\//); // the model is told where the files are
  expect(all).toMatch(/vectors are saved in /);
  expect(all).toMatch(/Error: \S+ \(Ark, HTTP 400, request id/); // the refusal, as an error the model reads
}

/** The server's environment as the README's Client setup section sets it (plus the sandbox and a temp folder). */
function serverEnv(dir: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "", AIGC_MCP_DELIVERY: "link", AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_LOG_LEVEL: "warn" };
}

describe("real client libraries with the README's settings (sandbox)", { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("aigc-clients-");
  });
  // The client libraries close the server's stdin without waiting for it to exit: it may still be
  // writing its last spend-ledger changes (held back up to 0.1 s to share a write) as the folder
  // goes, and make it again. Removed until it stays gone for 0.3 s.
  afterAll(async () => {
    for (let i = 0; i < 20 && existsSync(dir); i++) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // ENOTEMPTY: a file was written while the folder was being removed
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(existsSync(dir)).toBe(false);
  });

  for (const provider of ["openai", "anthropic"] as const) {
    it(`LangChain createAgent with ${provider === "openai" ? "ChatOpenAI" : "ChatAnthropic"}: runs the whole script`, async () => {
      const fake = await fakeModel();
      const client = new MultiServerMCPClient({
        mcpServers: {
          aigc: { transport: "stdio", command: process.execPath, args: [ENTRY, "--sandbox"], env: serverEnv(dir) },
        },
      });
      try {
        const model =
          provider === "openai"
            ? new ChatOpenAI({ model: "gpt-4o", apiKey: "test", configuration: { baseURL: `${fake.url}/v1` } })
            : new ChatAnthropic({ model: "claude-sonnet-4-5", apiKey: "test", anthropicApiUrl: fake.url });
        const agent = createAgent({ model, tools: await client.getTools() });
        const out = await agent.invoke({ messages: [{ role: "user", content: "Make me some media." }] }, { recursionLimit: 40 });
        expect(out.messages.at(-1)?.content).toBe("done");
        expectClean(fake.bodies);
      } finally {
        await client.close();
        await fake.close();
      }
    });
  }

  it("AI SDK generateText with the OpenAI provider: runs the whole script", async () => {
    const fake = await fakeModel();
    const mcp = await createMCPClient({
      transport: new Experimental_StdioMCPTransport({ command: process.execPath, args: [ENTRY, "--sandbox"], env: serverEnv(dir) }),
    });
    try {
      const result = await generateText({
        model: createOpenAI({ apiKey: "test", baseURL: `${fake.url}/v1` }).chat("gpt-4o"),
        tools: await mcp.tools(),
        stopWhen: stepCountIs(12),
        prompt: "Make me some media.",
      });
      expect(result.text).toBe("done");
      expectClean(fake.bodies);
    } finally {
      await mcp.close();
      await fake.close();
    }
  });
});
