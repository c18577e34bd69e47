import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewaySimulator, readSpokenText } from "../../../../src/vendors/gateway/simulator.js";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import { sniffBytes } from "../../../../src/media/sniff.js";
import { signToken } from "../../../helpers/jwt.js";

/** The AI Gateway simulator's wire contract (auth, chat, embeddings, rerank, audio), with plain fetch only. */
describe("gateway simulator contract", () => {
  let gw: GatewaySimulator;
  beforeAll(async () => {
    gw = await new GatewaySimulator({ chunkDelayMs: 1, speechDelayMs: 1 }).start();
  });
  afterAll(() => gw.close());

  const bearer = () => `Bearer ${gw.apiKey}`;
  const post = (path: string, body: unknown, auth: string | null = bearer()) =>
    fetch(`${gw.baseUrl}/${path}`, {
      method: "POST",
      headers: { ...(auth ? { authorization: auth } : {}), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const nowS = () => Math.floor(gw.sim.now() / 1000);
  const jwt = async (claims: Record<string, unknown>, key: Buffer | string = gw.jwtSecret) => `Bearer ${await signToken(claims, key)}`;
  const chat = (content: string, extra: Record<string, unknown> = {}) =>
    post("chat/completions", { model: "qwen-plus", messages: [{ role: "user", content }], ...extra });
  const upload = (file: Buffer | undefined, fields: Record<string, string> = { model: "paraformer-v2" }) => {
    const form = new FormData();
    if (file) form.append("file", new Blob([file]), "audio.bin");
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return fetch(`${gw.baseUrl}/audio/transcriptions`, { method: "POST", headers: { authorization: bearer() }, body: form });
  };

  describe("auth", () => {
    it("accepts the Bearer key and refuses others in plain text", async () => {
      const ok = await fetch(`${gw.baseUrl}/models`, { headers: { authorization: bearer() } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-id")).toMatch(/^gw-/);
      const list = (await ok.json()) as { object: string; data: Array<{ id: string; owned_by: string }> };
      expect(list.data.map((m) => m.id)).toEqual(
        expect.arrayContaining(["qwen-plus", "text-embedding-v4", "gte-rerank-v2", "paraformer-v2", "cosyvoice-v2"]),
      );

      const wrong = await post("embeddings", { model: "text-embedding-v4", input: "a" }, "Bearer gw-wrong");
      expect([wrong.status, wrong.headers.get("content-type"), wrong.headers.get("www-authenticate"), await wrong.text()]).toEqual([
        403,
        "text/plain; charset=utf-8",
        "Key realm=MSE Gateway",
        "Request denied by Key Auth check. Unauthorized consumer.",
      ]);
      const none = await post("embeddings", { model: "text-embedding-v4", input: "a" }, null);
      expect([none.status, await none.text()]).toEqual([401, "Request denied by Key Auth check. No Key Authentication information found."]);
    });

    it("answers paths outside /v1 with 404 no route, before auth", async () => {
      const r = await fetch(`${gw.sim.url}/chat/completions`, { method: "POST" });
      expect([r.status, await r.text()]).toEqual([404, "no route"]);
      const inside = await fetch(`${gw.baseUrl}/nothing`, { method: "POST", headers: { authorization: bearer() } });
      expect([inside.status, await inside.text()]).toEqual([404, "no route"]);
    });

    it("reads the key from a custom header", async () => {
      const custom = await new GatewaySimulator({ keyHeader: "x-api-key", auth: "key" }).start();
      try {
        const ok = await fetch(`${custom.baseUrl}/models`, { headers: { "x-api-key": custom.apiKey } });
        expect(ok.status).toBe(200);
        const bearerOnly = await fetch(`${custom.baseUrl}/models`, { headers: { authorization: `Bearer ${custom.apiKey}` } });
        expect(bearerOnly.status).toBe(401);
        const wrong = await fetch(`${custom.baseUrl}/models`, { headers: { "x-api-key": "nope" } });
        expect(wrong.status).toBe(403);
      } finally {
        await custom.close();
      }
    });

    it("verifies JWTs: uid, signature, nbf and expiry with 60 s of skew on the simulator clock", async () => {
      const body = { model: "text-embedding-v4", input: "a" };
      expect((await post("embeddings", body, await jwt({ uid: gw.jwtUid, exp: nowS() + 3600 }))).status).toBe(200);
      const other = await post("embeddings", body, await jwt({ uid: "someone-else", exp: nowS() + 3600 }));
      expect([other.status, await other.text()]).toEqual([403, "Request denied by JWT Auth check. Unauthorized consumer."]);
      const noUid = await post("embeddings", body, await jwt({ exp: nowS() + 3600 }));
      expect(noUid.status).toBe(403);
      const forged = await post("embeddings", body, await jwt({ uid: gw.jwtUid }, "not-the-secret"));
      expect([forged.status, await forged.text()]).toEqual([401, "Request denied by JWT Auth check. JWT verification fails"]);
      const early = await post("embeddings", body, await jwt({ uid: gw.jwtUid, nbf: nowS() + 120 }));
      expect([early.status, await early.text()]).toEqual([401, "Request denied by JWT Auth check. JWT verification fails"]);
      expect((await post("embeddings", body, await jwt({ uid: gw.jwtUid, nbf: nowS() + 30 }))).status).toBe(200); // inside the skew

      const token = await jwt({ uid: gw.jwtUid, exp: nowS() + 10 });
      gw.sim.advance(40_000); // 30 s past exp: inside the skew
      expect((await post("embeddings", body, token)).status).toBe(200);
      gw.sim.advance(60_000); // 90 s past exp
      const expired = await post("embeddings", body, token);
      expect([expired.status, await expired.text()]).toEqual([401, "Request denied by JWT Auth check. JWT is expired."]);
    });

    it("JWT-only consumers: missing, not a JWT, custom header and prefix, JWKS", async () => {
      const j = await new GatewaySimulator({ auth: "jwt", jwtHeader: "x-token", jwtPrefix: "" }).start();
      try {
        const models = (headers: Record<string, string>) => fetch(`${j.baseUrl}/models`, { headers });
        const missing = await models({});
        expect([missing.status, await missing.text()]).toEqual([401, "Request denied by JWT Auth check. JWT is missing."]);
        expect((await models({ "x-token": j.apiKey })).status).toBe(401);
        const key = Buffer.from((JSON.parse(j.jwks) as { keys: Array<{ kty: string; k: string }> }).keys[0]!.k, "base64url");
        expect(key.equals(j.jwtSecret)).toBe(true);
        const token = await signToken({ uid: j.jwtUid, exp: Math.floor(j.sim.now() / 1000) + 60 }, key);
        expect((await models({ "x-token": token })).status).toBe(200);
        expect((await models({ authorization: `Bearer ${token}` })).status).toBe(401);
      } finally {
        await j.close();
      }
    });

    it("[429] is the rate limiter's plain-text refusal", async () => {
      const r = await chat("please [429]");
      expect([r.status, await r.text()]).toEqual([429, "Too many requests"]);
    });
  });

  describe("chat", () => {
    it("answers JSON with usage, validates, and knows its models", async () => {
      const r = (await (await chat("What is the capital of France?")).json()) as {
        object: string;
        model: string;
        choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
        usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      };
      expect(r).toMatchObject({
        object: "chat.completion",
        model: "qwen-plus",
        choices: [{ message: { role: "assistant" }, finish_reason: "stop" }],
      });
      expect(r.choices[0]!.message.content).toContain('you said "What is the capital of France?"');
      expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);

      const unknown = await post("chat/completions", { model: "gpt-9", messages: [{ role: "user", content: "x" }] });
      expect([unknown.status, await unknown.json()]).toEqual([
        404,
        {
          error: {
            message: "The model `gpt-9` does not exist or you do not have access to it.",
            type: "invalid_request_error",
            param: "model",
            code: "model_not_found",
          },
        },
      ]);
      expect((await chat("x", { temperature: 2.5 })).status).toBe(400);
      expect((await post("chat/completions", { model: "qwen-plus", messages: [{ role: "robot", content: "x" }] })).status).toBe(400);
      expect((await post("chat/completions", { model: "qwen-plus", messages: [] })).status).toBe(400);
      expect((await post("chat/completions", { model: "qwen-plus", messages: [null] })).status).toBe(400);
      const blocked = await chat("something [blocked]");
      expect([blocked.status, ((await blocked.json()) as { error: { code: string } }).error.code]).toEqual([400, "data_inspection_failed"]);
    });

    it("streams SSE: role first, reasoning before content, finish, usage, [DONE]", async () => {
      const res = await post("chat/completions", {
        model: "qwen3-8b",
        stream: true,
        stream_options: { include_usage: true },
        chat_template_kwargs: { enable_thinking: true },
        messages: [{ role: "user", content: [{ type: "text", text: "tell me a story" }] }],
      });
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = (await res.text()).split("\n\n").filter(Boolean);
      expect(events.at(-1)).toBe("data: [DONE]");
      const chunks = events.slice(0, -1).map(
        (e) =>
          JSON.parse(e.replace(/^data: /, "")) as {
            object: string;
            choices: Array<{ delta: Record<string, string>; finish_reason: string | null }>;
            usage?: object;
          },
      );
      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
      const kinds = chunks.flatMap((c) => (c.choices[0]?.delta.reasoning_content ? ["r"] : c.choices[0]?.delta.content ? ["c"] : []));
      expect(kinds.join("")).toMatch(/^r+c{3,}$/);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toContain("tell me a story");
      expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    });

    it("json_schema answers satisfy the schema; [bad-json] breaks it", async () => {
      const schema = {
        type: "object",
        properties: {
          city: { type: "string" },
          population: { type: "integer", minimum: 1 },
          tags: { type: "array", items: { type: "string" }, minItems: 2 },
          kind: { enum: ["capital", "town"] },
        },
        required: ["city", "population", "tags", "kind"],
        additionalProperties: false,
      };
      const response_format = { type: "json_schema", json_schema: { name: "city", schema, strict: true } };
      const r = (await (await chat("Describe Paris", { response_format })).json()) as { choices: Array<{ message: { content: string } }> };
      const value = JSON.parse(r.choices[0]!.message.content) as Record<string, unknown>;
      expect(Object.keys(value).sort()).toEqual(["city", "kind", "population", "tags"]);
      expect(value).toMatchObject({ city: expect.any(String), kind: "capital" });
      expect(Number.isInteger(value.population) && (value.population as number) >= 1).toBe(true);
      expect((value.tags as string[]).length).toBeGreaterThanOrEqual(2);

      const bad = (await (await chat("Describe Paris [bad-json]", { response_format })).json()) as {
        choices: Array<{ message: { content: string } }>;
      };
      expect(JSON.parse(bad.choices[0]!.message.content)).not.toHaveProperty("city");
      const obj = (await (await chat("hi", { response_format: { type: "json_object" } })).json()) as {
        choices: Array<{ message: { content: string } }>;
      };
      expect(JSON.parse(obj.choices[0]!.message.content)).toMatchObject({ model: "qwen-plus" });
      expect((await chat("hi", { response_format: { type: "xml" } })).status).toBe(400);
    });

    it("legacy completions", async () => {
      const r = (await (await post("completions", { model: "qwen-plus", prompt: "Once upon" })).json()) as {
        model: string;
        choices: Array<{ text: string; finish_reason: string }>;
      };
      expect(r.model).toBe("qwen-plus");
      expect(r.choices[0]).toMatchObject({ index: 0, finish_reason: "stop", text: expect.stringContaining("Once upon") });
    });
  });

  describe("embeddings and rerank", () => {
    it("embeddings: model present, dimensions, deterministic unit vectors, limits", async () => {
      const get = async (input: unknown, extra: Record<string, unknown> = {}) =>
        post("embeddings", { model: "text-embedding-v4", input, ...extra });
      const r = (await (await get(["alpha", "beta", "alpha"], { dimensions: 256 })).json()) as {
        object: string;
        model: string;
        data: Array<{ index: number; embedding: number[] }>;
        usage: { total_tokens: number };
      };
      expect([r.object, r.model, r.data.map((d) => d.index)]).toEqual(["list", "text-embedding-v4", [0, 1, 2]]);
      expect(r.data[0]!.embedding).toHaveLength(256);
      expect(Math.hypot(...r.data[1]!.embedding)).toBeCloseTo(1, 6);
      expect(r.data[2]!.embedding).toEqual(r.data[0]!.embedding);
      expect(r.data[1]!.embedding).not.toEqual(r.data[0]!.embedding);
      const dflt = (await (await get("alpha")).json()) as { data: Array<{ embedding: number[] }> };
      expect(dflt.data[0]!.embedding).toHaveLength(1024);
      for (const bad of [[], "", [""], Array.from({ length: 513 }, (_, i) => `t${i}`)]) expect((await get(bad)).status).toBe(400);
      expect((await get("a", { dimensions: 4096 })).status).toBe(400);
    });

    it("rerank: word overlap, best first, top_n and documents", async () => {
      const documents = ["Bananas are yellow", "Paris is the capital of France", { text: "France has many cities" }];
      const r = (await (
        await post("rerank", { model: "gte-rerank-v2", query: "capital of France", documents, top_n: 2, return_documents: true })
      ).json()) as {
        model: string;
        results: Array<{ index: number; relevance_score: number; document?: { text: string } }>;
      };
      expect(r.model).toBe("gte-rerank-v2");
      expect(r.results.map((x) => x.index)).toEqual([1, 2]);
      expect(r.results[0]!.document).toEqual({ text: "Paris is the capital of France" });
      for (const x of r.results) expect(x.relevance_score > 0 && x.relevance_score < 1).toBe(true);
      expect((await post("rerank", { model: "gte-rerank-v2", query: "q", documents: [] })).status).toBe(400);
    });
  });

  describe("audio", () => {
    it("speech → transcription round trip for wav, mp3 and opus", async () => {
      const mimes = { wav: "audio/wav", mp3: "audio/mpeg", opus: "audio/ogg" } as const;
      for (const [format, mime] of Object.entries(mimes)) {
        const input = `Hello from the ${format} voice, 你好.`;
        const res = await post("audio/speech", { model: "cosyvoice-v2", input, voice: "longxiaochun", response_format: format });
        expect([res.status, res.headers.get("content-type"), res.headers.get("content-length")]).toEqual([200, mime, null]);
        const audio = Buffer.from(await res.arrayBuffer());
        expect((await sniffBytes(audio))?.mime).toBe(mime);
        expect(readSpokenText(audio)).toBe(input);
        const t = (await (await upload(audio)).json()) as { text: string };
        expect(t.text).toBe(input);
      }
    });

    it("speech validates voice, format and input; [fail] is a 500", async () => {
      const speech = (extra: Record<string, unknown>) => post("audio/speech", { model: "tts-1", input: "hi", voice: "alloy", ...extra });
      const aac = await speech({ response_format: "aac" });
      expect([aac.status, ((await aac.json()) as { error: { code: string; message: string } }).error]).toMatchObject([
        400,
        { code: "unsupported_format", message: expect.stringContaining("aac is not supported") },
      ]);
      const voice = await speech({ voice: "darth" });
      expect([voice.status, JSON.stringify(await voice.json())]).toEqual([400, expect.stringContaining("longxiaochun")]);
      expect((await speech({ input: "" })).status).toBe(400);
      expect((await speech({ input: "x".repeat(4097) })).status).toBe(400);
      expect((await speech({ speed: 5 })).status).toBe(400);
      const fail = await speech({ input: "say [fail]" });
      expect([fail.status, await fail.json()]).toMatchObject([
        500,
        { error: { code: "InternalError", message: "speech synthesis failed" } },
      ]);
    });

    it("transcription: formats, missing file, not audio, unknown audio", async () => {
      const speech = await post("audio/speech", { model: "cosyvoice-v2", input: "round trip", voice: "alloy", response_format: "wav" });
      const wav = Buffer.from(await speech.arrayBuffer());
      const text = await upload(wav, { model: "whisper-1", response_format: "text" });
      expect([text.status, await text.text()]).toEqual([200, "round trip"]);
      const verbose = (await (
        await upload(wav, { model: "paraformer-v2", response_format: "verbose_json", language: "zh" })
      ).json()) as Record<string, unknown>;
      expect(verbose).toMatchObject({ text: "round trip", language: "zh", segments: [] });
      expect(typeof verbose.duration).toBe("number");

      expect((await upload(undefined)).status).toBe(400);
      const png = await upload(makePng(8, 8));
      expect([png.status, ((await png.json()) as { error: { code: string } }).error.code]).toEqual([400, "invalid_file_format"]);
      const silent = Buffer.from([0xff, 0xfb, 0x90, 0xc0, ...Buffer.alloc(413)]);
      expect(((await (await upload(silent)).json()) as { text: string }).text).toBe(
        "Sandbox transcript: 417 bytes of audio/mpeg audio, no words recognised.",
      );
    });
  });
});
