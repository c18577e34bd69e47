/**
 * Animo's models: no built-in catalog (the customer's Animo server decides), engine and model sent
 * only when configured, aspect_ratio in async mode, the server's live model list (list_models and
 * `check`), and AIGC_MCP_MODELS_FILE entries for Animo models.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseCoreConfig } from "../../../../src/config.js";
import { AigcError, describeError } from "../../../../src/errors.js";
import { handleOf } from "../../../helpers/job-handle.js";
import { loadVendors } from "../../../../src/plugins.js";
import { parseAnimoConfig } from "../../../../src/vendors/animo/config.js";
import { logLines, startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, mark, type RequestMark, type ModelList } from "../../../helpers/results.js";

const ASYNC = { ANIMO_MODE: "async" };

/** The JSON bodies the simulator received on its async submit route since `from`. */
function submits(from: RequestMark): unknown[] {
  return from.since((q) => q.method === "POST" && q.path === "/animo/v1/video/generation").map((q) => q.json);
}

async function check(env: Record<string, string>): Promise<string> {
  const core = parseCoreConfig(env);
  const animo = (await loadVendors(env, core)).find((v) => v.id === "animo")!;
  return animo.check(AbortSignal.timeout(10_000));
}

describe("animo_generate_video in async mode, without ANIMO_ENGINE / ANIMO_MODEL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: ASYNC });
  });
  afterAll(() => h.close());

  it("sends neither engine nor model, so the server uses its own default", async () => {
    const from = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "a blue circle grows", wait_seconds: 20 });
    expect(r.isError, text(r)).toBeFalsy();
    const s = jobOf(r);
    expect(s.status).toBe("succeeded");
    expect(submits(from)).toEqual([{ prompt: "a blue circle grows" }]);
    const task = h.sandbox.animo.tasks.get(s.vendor_task_id!)!;
    expect(task.data).toMatchObject({ engine: "openai", model: "gpt-5.6-terra" });
    // No model configured: the job id records none either.
    expect((await handleOf(h, s.job_id)).model).toBeUndefined();
  });

  it("passes aspect_ratio, and the server renders that frame shape", async () => {
    const from = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "a tall tower rises", aspect_ratio: "9:16", wait_seconds: 20 });
    expect(r.isError, text(r)).toBeFalsy();
    expect(submits(from)).toEqual([{ prompt: "a tall tower rises", aspect_ratio: "9:16" }]);
    const asset = jobOf(r).assets[0]!;
    expect(asset.height).toBeGreaterThan(asset.width!);
  });

  it("leaves an undocumented aspect_ratio to the server, whose 400 comes back with what to change", async () => {
    const from = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "a wide field", aspect_ratio: "4:3" });
    expect(r.isError).toBe(true);
    expect(submits(from)).toEqual([{ prompt: "a wide field", aspect_ratio: "4:3" }]);
    expect(text(r)).toContain("'aspect_ratio' must be one of: 1:1, 16:9, 9:16");
    expect(text(r)).toMatch(/aspect_ratio/);
  });

  it("refuses a value that is not W:H at all (the API's shape) before any request", async () => {
    const before = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "x", aspect_ratio: "portrait" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/WIDTH:HEIGHT/);
    expect(before.since()).toHaveLength(0);
  });

  it("list_models (live: true, through the SDK client) shows the server's engines and models", async () => {
    const r = await h.client.callTool({ name: "list_models", arguments: { vendor: "animo", live: true } });
    const animo = structured<ModelList>(r as never).vendors[0]!;
    // Asked live, it says the list is below (it told a caller who had passed live: true to pass it).
    expect(animo.note).toMatch(/below is what it lists now/);
    expect(animo.tools).toEqual([
      { tool: "animo_generate_video", endpoint: "video/generation", default_variable: "ANIMO_MODEL", models: [] },
    ]);
    expect(animo.live).toContainEqual({ id: "claude-sonnet-5", status: "engine anthropic, default", in_catalog: false });
    expect(animo.live).toContainEqual({ id: "gemini-2.5-pro", status: "engine gemini, no key on the server", in_catalog: false });
    expect(animo.live).toContainEqual({ id: "openai/gpt-4o", status: "engine litellm, default, no key on the server", in_catalog: false });
    expect(animo.live!.map((m) => m.id)).not.toContain("claude-3-7-sonnet-20250219");
    expect(text(r as never)).toMatch(/vendor lists \d+ model\(s\): .*claude-sonnet-5 \(engine anthropic, default\)/);
  });

  it("check names the server's list and says that no model is sent", async () => {
    const line = await check({ ...h.sandbox.env, ...ASYNC });
    expect(line).toMatch(
      /^key accepted by http:\/\/127\.0\.0\.1:\d+\/animo \(async mode; .*\); the server lists 18 model\(s\) of 5 engine\(s\) \(keys for openai, anthropic\); no model is sent, so it uses its default$/,
    );
  });
});

describe("animo_generate_video in async mode with ANIMO_ENGINE and ANIMO_MODEL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...ASYNC, ANIMO_ENGINE: "anthropic", ANIMO_MODEL: "claude-sonnet-5" } });
  });
  afterAll(() => h.close());

  it("sends exactly the configured engine and model, and records the model in the job", async () => {
    const from = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "a square spins", aspect_ratio: "1:1", wait_seconds: 20 });
    expect(r.isError, text(r)).toBeFalsy();
    expect(submits(from)).toEqual([{ prompt: "a square spins", aspect_ratio: "1:1", engine: "anthropic", model: "claude-sonnet-5" }]);
    const s = jobOf(r);
    expect(await handleOf(h, s.job_id)).toMatchObject({ model: "claude-sonnet-5", x: { m: "async", e: h.sandbox.animo.endpoint } });
  });

  it("the tool's smallest call (its list_models sample) works with the configured default", async () => {
    const animo = h.app.vendors.find((v) => v.id === "animo")!;
    const [tool] = animo.models!.tools;
    expect(tool).toMatchObject({ tool: "animo_generate_video", default: "claude-sonnet-5", variable: "ANIMO_MODEL" });
    const from = mark(h.sandbox.animo);
    const r = await h.call(tool!.tool, { ...tool!.sample, wait_seconds: 20 });
    expect(r.isError, text(r)).toBeFalsy();
    expect(submits(from)).toEqual([{ ...tool!.sample, engine: "anthropic", model: "claude-sonnet-5" }]);
  });

  it("list_models shows the configured default; check finds it on the server", async () => {
    const listed = structured<ModelList>(await h.call("list_models", { vendor: "animo" }));
    expect(listed.vendors[0]!.tools[0]).toMatchObject({ default: "claude-sonnet-5", default_variable: "ANIMO_MODEL" });
    const line = await check({ ...h.sandbox.env, ...ASYNC, ANIMO_ENGINE: "anthropic", ANIMO_MODEL: "claude-sonnet-5" });
    expect(line).toMatch(/the server lists 18 model\(s\)/);
    expect(line).not.toMatch(/not among|not one of|no key/);
  });

  it("check says when the configured engine or model is not on the server's list", async () => {
    const line = await check({ ...h.sandbox.env, ...ASYNC, ANIMO_ENGINE: "gemini", ANIMO_MODEL: "gemini-9-ultra" });
    expect(line).toContain("it has no key for ANIMO_ENGINE=gemini");
    expect(line).toContain("ANIMO_MODEL=gemini-9-ultra is not among them");
    const other = await check({ ...h.sandbox.env, ...ASYNC, ANIMO_ENGINE: "mistral" });
    expect(other).toContain("ANIMO_ENGINE=mistral is not one of its engines");
  });
});

describe("models the server knows and aigc-mcp does not", () => {
  it("a newer server's model works through the tool with no code change", async () => {
    const h = await startHarness({
      animo: { extraModels: { anthropic: ["claude-sonnet-6"] } },
      env: { ...ASYNC, ANIMO_MODEL: "claude-sonnet-6" },
    });
    try {
      const from = mark(h.sandbox.animo);
      const r = await h.call("animo_generate_video", { prompt: "a wave travels", wait_seconds: 20 });
      expect(r.isError, text(r)).toBeFalsy();
      expect(submits(from)).toEqual([{ prompt: "a wave travels", model: "claude-sonnet-6" }]);
      const live = structured<ModelList>(await h.call("list_models", { vendor: "animo", live: true })).vendors[0]!.live!;
      expect(live).toContainEqual({ id: "claude-sonnet-6", status: "engine anthropic", in_catalog: false });
    } finally {
      await h.close();
    }
  });

  it("the 2025 model the SDK still pins fails at the server, explained with the variables to change", async () => {
    const h = await startHarness({ env: { ...ASYNC, ANIMO_ENGINE: "anthropic", ANIMO_MODEL: "claude-3-7-sonnet-20250219" } });
    try {
      const r = await h.call("animo_generate_video", { prompt: "x" });
      expect(r.isError).toBe(true);
      expect(text(r)).toContain("code_generation_failed");
      expect(text(r)).toMatch(/ANIMO_ENGINE \/ ANIMO_MODEL.*list_models with live: true/);
    } finally {
      await h.close();
    }
  });

  it("a server without GET /v1/models: list_models reports it, check still passes", async () => {
    const h = await startHarness({ animo: { modelList: false }, env: ASYNC });
    try {
      const v = structured<ModelList>(await h.call("list_models", { vendor: "animo", live: true })).vendors[0]!;
      expect(v.live).toBeUndefined();
      expect(v.live_error).toMatch(/no route GET \/animo\/v1\/models/);
      const line = await check({ ...h.sandbox.env, ...ASYNC });
      expect(line).toMatch(/^key accepted by .*; no model list \(GET \/v1\/models: .*\)$/);
    } finally {
      await h.close();
    }
  });

  it("check fails for an endpoint that answers 404 with a web page: it is no Animo API, whatever the key", async () => {
    const site = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>404 Not Found</h1>"));
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    try {
      const endpoint = `http://127.0.0.1:${(site.address() as AddressInfo).port}/not-animo`;
      const env = { ANIMO_API_KEY: "animo-wrong-key-000000000000000000000", ANIMO_ENDPOINT: endpoint, ...ASYNC };
      const refused = await check(env).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(AigcError);
      expect(describeError(refused)).toMatch(/^Error: NotAnimoEndpoint .*404 and no JSON error \(404 Not Found\)/);
      expect(describeError(refused)).toMatch(/What to do: Set ANIMO_ENDPOINT to the base URL/);
    } finally {
      site.close();
    }
  });
  it.each([
    [
      "its index page",
      "text/html",
      "<!doctype html><html><head><title>My App</title></head><body><div id=root></div></body></html>",
      /^Error: NotVendorApi .*web page \(HTTP 200, text\/html: My App\)/,
    ],
    [
      "JSON of its own",
      "application/json",
      '{"ok":true}',
      /^Error: NotAnimoEndpoint .*lookup with 200 and no request status \(\{"ok":true\}\)/,
    ],
  ])(
    "check fails for a site that answers every path with %s (200): no request status, no Animo API",
    async (_what, type, body, expected) => {
      const site = createServer((_req, res) => res.writeHead(200, { "content-type": type }).end(body));
      await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
      try {
        const endpoint = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
        const env = { ANIMO_API_KEY: "animo-any-key-00000000000000000000000", ANIMO_ENDPOINT: endpoint, ...ASYNC };
        const refused = await check(env).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(describeError(refused)).toMatch(expected);
        expect(describeError(refused)).toMatch(/ANIMO_ENDPOINT/);
      } finally {
        site.close();
      }
    },
  );
});

describe("AIGC_MCP_MODELS_FILE entries for Animo (no built-in catalog)", () => {
  const file = (entries: unknown[]) => {
    const path = join(tempDir("aigc-animo-models-"), "models.json");
    writeFileSync(path, JSON.stringify({ animo: entries }));
    return path;
  };

  it("a model the file marks retired is refused before any request, with its successor", async () => {
    const models = file([
      {
        id: "claude-sonnet-4-6",
        endpoints: ["video/generation"],
        status: "retired",
        statusDate: "2026-11-01",
        successor: "claude-sonnet-5",
      },
    ]);
    const h = await startHarness({ env: { ...ASYNC, ANIMO_MODEL: "claude-sonnet-4-6", AIGC_MCP_MODELS_FILE: models } });
    try {
      const before = mark(h.sandbox.animo);
      const r = await h.call("animo_generate_video", { prompt: "x" });
      expect(r.isError).toBe(true);
      // animo_generate_video has no model argument: ANIMO_MODEL is the one thing to change.
      expect(text(r)).toContain(
        "model: claude-sonnet-4-6, the default from ANIMO_MODEL, was retired by the vendor on 2026-11-01; set ANIMO_MODEL to claude-sonnet-5\n",
      );
      expect(before.since()).toHaveLength(0);
      const listed = structured<ModelList>(await h.call("list_models", { vendor: "animo" })).vendors[0]!;
      expect(listed.note).toBeUndefined();
      expect(listed.tools[0]!.models).toEqual([expect.objectContaining({ id: "claude-sonnet-4-6", status: "retired" })]);
    } finally {
      await h.close();
    }
  });

  it("the file's capabilities advise (the call still reaches the server) or, strict, refuse", async () => {
    const models = file([{ id: "claude-sonnet-5", endpoints: ["video/generation"], capabilities: { aspect_ratio: ["16:9"] } }]);
    const env = { ...ASYNC, ANIMO_MODEL: "claude-sonnet-5", AIGC_MCP_MODELS_FILE: models };
    const h = await startHarness({ env });
    try {
      const from = mark(h.sandbox.animo);
      const r = await h.call("animo_generate_video", { prompt: "a tall tree", aspect_ratio: "9:16", wait_seconds: 20 });
      expect(r.isError, text(r)).toBeFalsy();
      expect(text(r)).toContain('Note: claude-sonnet-5 (claude-sonnet-5) takes aspect_ratio 16:9; got "9:16"');
      expect(jobOf(r).warnings).toEqual(['claude-sonnet-5 (claude-sonnet-5) takes aspect_ratio 16:9; got "9:16"']);
      expect(submits(from)).toHaveLength(1);
    } finally {
      await h.close();
    }
    const strict = await startHarness({ env: { ...env, AIGC_MCP_MODEL_CHECKS: "strict" } });
    try {
      const before = mark(strict.sandbox.animo);
      const r = await strict.call("animo_generate_video", { prompt: "a tall tree", aspect_ratio: "9:16" });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/AIGC_MCP_MODEL_CHECKS=strict/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});

describe("the two wire contracts stay apart", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("sync mode refuses aspect_ratio (its contract has none) before any request", async () => {
    const before = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "x", aspect_ratio: "16:9" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/aspect_ratio.*ANIMO_MODE=sync.*resolution/);
    expect(before.since()).toHaveLength(0);
  });

  it("sync mode has no model list, and list_models says so", async () => {
    const v = structured<ModelList>(await h.call("list_models", { vendor: "animo", live: true })).vendors[0]!;
    expect(v.tools).toEqual([]);
    expect(v.live_error).toMatch(/has no model-listing call/);
  });

  it("ANIMO_ENGINE / ANIMO_MODEL are refused at start-up in sync mode, and never logged as secrets", () => {
    const base = { ANIMO_API_KEY: "animo-key-123456", ANIMO_ENDPOINT: "https://animo.example/render" };
    expect(() => parseAnimoConfig({ ...base, ANIMO_MODEL: "gpt-4o" })).toThrow(ConfigError);
    expect(() => parseAnimoConfig({ ...base, ANIMO_ENGINE: "openai" })).toThrow(/ANIMO_ENGINE: applies only with ANIMO_MODE=async/);
    expect(parseAnimoConfig({ ...base, ANIMO_MODE: "async", ANIMO_ENGINE: "openai", ANIMO_MODEL: "gpt-4o" })).toMatchObject({
      engine: "openai",
      model: "gpt-4o",
    });
    expect(parseAnimoConfig({ ...base, ANIMO_MODE: "async" })).not.toHaveProperty("model");
    expect(() => parseAnimoConfig({ ...base, ANIMO_MODE: "async", ANIMO_MODEL: "two words" })).toThrow(/ANIMO_MODEL/);
    expect(logLines.join("\n")).not.toContain(base.ANIMO_API_KEY);
  });
});

describe("list_models in sync mode", () => {
  it("says what works (async mode with ANIMO_ENGINE and ANIMO_MODEL), never to pass live: true", async () => {
    const h = await startHarness();
    try {
      for (const live of [undefined, true]) {
        const r = await h.call("list_models", { vendor: "animo", ...(live ? { live } : {}) });
        const v = structured<ModelList>(r).vendors[0]!;
        expect(v.note).toMatch(/sync mode.*no model list.*ANIMO_MODE=async with ANIMO_ENGINE and ANIMO_MODEL/);
        expect(v.note).not.toMatch(/pass live: true/);
        expect(text(r)).toContain("set ANIMO_MODE=async");
      }
    } finally {
      await h.close();
    }
  });
});
