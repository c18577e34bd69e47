/**
 * The AI Gateway's models: no built-in catalog (the customer's gateway decides), each tool's
 * default from its variable, the gateway's own `GET models` list (list_models and `check`), and
 * AIGC_MCP_MODELS_FILE entries for gateway models.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../../../src/config.js";
import { loadVendors } from "../../../../src/plugins.js";
import type { LoadedVendor } from "../../../../src/tools/plugin.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { mark, type RequestMark, type ModelList } from "../../../helpers/results.js";

function gatewayOf(h: Harness): LoadedVendor {
  return h.app.vendors.find((v) => v.id === "gateway")!;
}

/** Model names the gateway simulator saw since `from` (JSON bodies and multipart forms). */
function modelsSent(from: RequestMark): string[] {
  return from.since().flatMap((q) => {
    const json = q.json as { model?: unknown } | undefined;
    if (typeof json?.model === "string") return [json.model];
    const form = /name="model"\r\n\r\n([^\r]+)/.exec(q.body.toString("latin1"));
    return form ? [form[1]!] : [];
  });
}

function modelsFile(entries: unknown[]): string {
  const path = join(tempDir("aigc-gw-models-"), "models.json");
  writeFileSync(path, JSON.stringify({ gateway: entries }));
  return path;
}

describe("gateway tools and their default models", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("every tool runs its smallest call with the default from its variable", async () => {
    const tools = gatewayOf(h).models!.tools;
    expect(tools.map((t) => [t.tool, t.endpoint, t.variable])).toEqual([
      ["gateway_chat", "chat/completions", "AI_GATEWAY_CHAT_MODEL"],
      ["gateway_embed", "embeddings", "AI_GATEWAY_EMBED_MODEL"],
      ["gateway_rerank", "rerank", "AI_GATEWAY_RERANK_MODEL"],
      ["gateway_transcribe", "audio/transcriptions", "AI_GATEWAY_STT_MODEL"],
      ["gateway_speech", "audio/speech", "AI_GATEWAY_TTS_MODEL"],
    ]);
    for (const t of tools) {
      expect(t.default, t.tool).toBe(h.env[t.variable!]);
      const from = mark(h.sandbox.gateway);
      const r = await h.call(t.tool, { ...t.sample, ...(t.tool === "gateway_speech" ? { wait_seconds: 20 } : {}) });
      expect(r.isError, `${t.tool}: ${text(r)}`).toBeFalsy();
      expect(modelsSent(from), t.tool).toEqual([t.default]);
    }
  });

  it("list_models (live: true, through the SDK client) shows each tool's default and the gateway's own list", async () => {
    const r = await h.client.callTool({ name: "list_models", arguments: { vendor: "gateway", live: true } });
    const gw = structured<ModelList>(r as never).vendors[0]!;
    expect(gw.note).toBe("this vendor serves whatever models its server is configured with; below is what it lists now");
    expect(gw.tools[0]).toEqual({
      tool: "gateway_chat",
      endpoint: "chat/completions",
      default: "qwen-plus",
      default_variable: "AI_GATEWAY_CHAT_MODEL",
      models: [],
    });
    expect(gw.live!.map((m) => m.id)).toEqual(expect.arrayContaining(["qwen-plus", "text-embedding-v4", "gte-rerank-v2", "cosyvoice-v2"]));
    expect(gw.live!.every((m) => !m.in_catalog)).toBe(true);
    const rendered = (r.content as Array<{ text: string }>)[0]!.text;
    expect(rendered).toMatch(/gateway_chat: default qwen-plus \(set AI_GATEWAY_CHAT_MODEL to change\)/);
    expect(rendered).toMatch(/vendor lists 10 model\(s\): qwen-plus, /);
    const paths = h.sandbox.gateway.sim.requests.slice(-1).map((q) => `${q.method} ${q.path}`);
    expect(paths).toEqual(["GET /v1/models"]);
    const asked = structured<ModelList>(await h.call("list_models", { vendor: "gateway" })).vendors[0]!;
    expect(asked.note).toBe("this vendor serves whatever models its server is configured with; pass live: true to ask it");
  });

  it("check counts the listed models and says whether every default is among them", async () => {
    expect(await gatewayOf(h).check(AbortSignal.timeout(10_000))).toMatch(
      /^API key accepted by http:\/\/127\.0\.0\.1:\d+\/v1 \(10 models listed\); every default model is listed$/,
    );
    const env = { ...h.env, AI_GATEWAY_TTS_MODEL: "cosyvoice-v9" };
    const other = (await loadVendors(env, parseCoreConfig(env))).find((v) => v.id === "gateway")!;
    expect(await other.check(AbortSignal.timeout(10_000))).toMatch(
      /\(10 models listed\); not listed there: AI_GATEWAY_TTS_MODEL=cosyvoice-v9 \(a Model API may serve more models than it lists\)$/,
    );
  });
});

describe("models the gateway serves and aigc-mcp has never heard of", () => {
  it("work through their tool with no code change, named in the call or as the default", async () => {
    const h = await startHarness({
      gateway: { extraModels: { chat: ["qwen4-max-2026-11"], embed: ["text-embedding-v5"] } },
      env: { AI_GATEWAY_EMBED_MODEL: "text-embedding-v5" },
    });
    try {
      const from = mark(h.sandbox.gateway);
      const chat = await h.call("gateway_chat", { prompt: "hello", model: "qwen4-max-2026-11" });
      expect(chat.isError, text(chat)).toBeFalsy();
      const embed = await h.call("gateway_embed", { texts: ["hello"] });
      expect(embed.isError, text(embed)).toBeFalsy();
      expect(modelsSent(from)).toEqual(["qwen4-max-2026-11", "text-embedding-v5"]);
      const live = structured<ModelList>(await h.call("list_models", { vendor: "gateway", live: true })).vendors[0]!.live!;
      expect(live.map((m) => m.id)).toEqual(expect.arrayContaining(["qwen4-max-2026-11", "text-embedding-v5"]));
    } finally {
      await h.close();
    }
  });
});

describe("AIGC_MCP_MODELS_FILE entries for gateway models", () => {
  it("a model the file adds shows in list_models and works through its tool", async () => {
    const file = modelsFile([{ id: "qwen4-max-2026-11", label: "Qwen 4 Max", endpoints: ["chat/completions"] }]);
    const h = await startHarness({ gateway: { extraModels: { chat: ["qwen4-max-2026-11"] } }, env: { AIGC_MCP_MODELS_FILE: file } });
    try {
      const listed = structured<ModelList>(await h.call("list_models", { vendor: "gateway", live: true })).vendors[0]!;
      expect(listed.note).toBeUndefined();
      expect(listed.tools.find((t) => t.tool === "gateway_chat")!.models).toEqual([
        expect.objectContaining({ id: "qwen4-max-2026-11", label: "Qwen 4 Max", status: "active" }),
      ]);
      expect(listed.tools.find((t) => t.tool === "gateway_embed")!.models).toEqual([]);
      expect(listed.live).toContainEqual({ id: "qwen4-max-2026-11", in_catalog: true });
      const r = await h.call("gateway_chat", { prompt: "hello", model: "qwen4-max-2026-11" });
      expect(r.isError, text(r)).toBeFalsy();
      expect(text(r)).not.toMatch(/Note:/);
    } finally {
      await h.close();
    }
  });

  it("a model the file marks retired is refused before any request, in every tool", async () => {
    const file = modelsFile([
      { id: "qwen-turbo", endpoints: ["chat/completions"], status: "retired", statusDate: "2026-10-31", successor: "qwen-plus" },
      { id: "cosyvoice-v2", endpoints: ["audio/speech"], status: "retired", statusDate: "2026-11-15", successor: "cosyvoice-v3" },
    ]);
    const h = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file } });
    try {
      const before = mark(h.sandbox.gateway);
      const chat = await h.call("gateway_chat", { prompt: "hello", model: "qwen-turbo" });
      expect(chat.isError).toBe(true);
      expect(text(chat)).toContain("model: qwen-turbo was retired by the vendor on 2026-10-31; use qwen-plus");
      // The caller named the model: the next step is another model, not a variable or "set model".
      expect(text(chat)).not.toMatch(/explicitly|AI_GATEWAY_CHAT_MODEL/);
      // The speech default (AI_GATEWAY_TTS_MODEL=cosyvoice-v2) is retired in the file: refused before a job starts.
      const speech = await h.call("gateway_speech", { text: "hello" });
      expect(speech.isError).toBe(true);
      expect(text(speech)).toContain(
        'model: cosyvoice-v2, the default from AI_GATEWAY_TTS_MODEL (no model was given), was retired by the vendor on 2026-11-15; set AI_GATEWAY_TTS_MODEL to cosyvoice-v3, or pass model: "cosyvoice-v3" in the call',
      );
      expect(text(speech)).not.toContain("explicitly");
      expect(before.since()).toHaveLength(0);
      expect(structured<{ jobs: unknown[] }>(await h.call("list_jobs", {})).jobs).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it("the file's capabilities advise and the call still reaches the gateway; strict refuses it locally", async () => {
    const file = modelsFile([{ id: "text-embedding-v4", endpoints: ["embeddings"], capabilities: { dimensions: { min: 64, max: 1024 } } }]);
    const h = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file } });
    try {
      const from = mark(h.sandbox.gateway);
      const r = await h.call("gateway_embed", { texts: ["hello"], dimensions: 2048 });
      expect(r.isError, text(r)).toBeFalsy();
      expect(text(r)).toContain("Note: text-embedding-v4 (text-embedding-v4) takes dimensions 64-1024; got 2048");
      expect(modelsSent(from)).toEqual(["text-embedding-v4"]);
    } finally {
      await h.close();
    }
    const strict = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file, AIGC_MCP_MODEL_CHECKS: "strict" } });
    try {
      const before = mark(strict.sandbox.gateway);
      const r = await strict.call("gateway_embed", { texts: ["hello"], dimensions: 2048 });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/dimensions: .*takes dimensions 64-1024; got 2048 \(AIGC_MCP_MODEL_CHECKS=strict/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it("a gateway refusal is explained with what the file says", async () => {
    const file = modelsFile([
      { id: "text-embedding-v4", endpoints: ["embeddings"], capabilities: { dimensions: { min: 64, max: 2048 } } },
      { id: "qwen-max", endpoints: ["chat/completions"] },
    ]);
    const h = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file } });
    try {
      const dims = await h.call("gateway_embed", { texts: ["hello"], dimensions: 4096 });
      expect(dims.isError).toBe(true);
      expect(text(dims)).toContain("dimensions must be an integer from 64 to 2048");
      expect(text(dims)).toContain("text-embedding-v4 (text-embedding-v4) takes dimensions 64-2048; got 4096");
      const missing = await h.call("gateway_chat", { prompt: "hello", model: "qwen-max" });
      expect(missing.isError).toBe(true);
      expect(text(missing)).toMatch(/model_not_found/);
      expect(text(missing)).toMatch(
        /qwen-max comes from your models file \(.*models.*\), not from aigc-mcp's catalog: check the id for a typo/,
      );
    } finally {
      await h.close();
    }
  });
});
