/** The Animo simulator's async API as the self-hostable server documents it, checked over HTTP without the adapter. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnimoSimulator } from "../../../../src/vendors/animo/simulator.js";

describe("Animo simulator: async API and model list", () => {
  let sim: AnimoSimulator;
  beforeAll(async () => {
    sim = await new AnimoSimulator({ extraModels: { openai: ["gpt-6-preview"] } }).start();
  });
  afterAll(() => sim.close());

  const auth = () => ({ authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" });
  const submit = async (body: unknown) => {
    const res = await fetch(`${sim.endpoint}/v1/video/generation`, { method: "POST", headers: auth(), body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("lists engines with key status, default and models (extra models included)", async () => {
    const res = await fetch(`${sim.endpoint}/v1/models`, { headers: auth() });
    expect(res.status).toBe(200);
    const { engines } = (await res.json()) as {
      engines: Array<{ engine: string; configured: boolean; default: string; models: Array<{ id: string }>; note?: string }>;
    };
    expect(engines.map((e) => e.engine)).toEqual(["openai", "anthropic", "gemini", "featherless", "litellm"]);
    const openai = engines[0]!;
    expect(openai).toMatchObject({ configured: true, default: "gpt-5.6-terra" });
    expect(openai.models.map((m) => m.id)).toContain("gpt-6-preview");
    expect(engines[4]).toMatchObject({ engine: "litellm", configured: false, models: [], note: expect.stringMatching(/any model string/) });
    expect((await fetch(`${sim.endpoint}/v1/models`)).status).toBe(401);
  });

  it("checks a generation body as the server does", async () => {
    expect(await submit({ engine: "openai" })).toEqual({ status: 400, body: { error: "'prompt' is required" } });
    expect(await submit({ prompt: "  " })).toEqual({ status: 400, body: { error: "'prompt' must not be empty" } });
    expect(await submit({ prompt: "x", aspect_ratio: "4:3" })).toEqual({
      status: 400,
      body: { error: "'aspect_ratio' must be one of: 1:1, 16:9, 9:16" },
    });
    expect(await submit({ prompt: "x", engine: "mistral" })).toEqual({
      status: 400,
      body: { error: "'engine' must be one of: anthropic, featherless, gemini, litellm, openai" },
    });
    expect(await submit({ prompt: "x", duration: 5 })).toEqual({ status: 400, body: { error: "Unknown parameter: 'duration'" } });
    const failed = { status: 500, body: { error: "Code generation failed", code: "code_generation_failed" } };
    expect(await submit({ prompt: "x", engine: "anthropic", model: "claude-3-7-sonnet-20250219" })).toEqual(failed);
    expect(await submit({ prompt: "x", engine: "gemini" })).toEqual(failed); // no key for gemini on this server
    expect(await submit({ prompt: "x", model: "gpt-7" })).toEqual(failed);
  });

  it("accepts a request with no engine or model, a claude-* model under any engine, and an extra model", async () => {
    for (const [body, engine, model] of [
      [{ prompt: "x" }, "openai", "gpt-5.6-terra"],
      [{ prompt: "x", engine: "anthropic" }, "anthropic", "claude-sonnet-5"],
      [{ prompt: "x", engine: "openai", model: "claude-opus-4-8" }, "anthropic", "claude-opus-4-8"],
      [{ prompt: "x", model: "gpt-6-preview", aspect_ratio: "1:1" }, "openai", "gpt-6-preview"],
    ] as const) {
      const r = await submit(body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(sim.tasks.get(r.body.requestId as string)!.data).toMatchObject({ engine, model });
    }
  });

  it("keeps the sync contract to its four fields", async () => {
    const res = await fetch(sim.endpoint, { method: "POST", headers: auth(), body: JSON.stringify({ prompt: "x", aspect_ratio: "16:9" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Unknown parameter: 'aspect_ratio'", code: "INVALID_PARAMETER" });
  });
});
