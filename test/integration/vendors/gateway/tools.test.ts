import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { header } from "../../../../src/sandbox/sim-server.js";
import { makePng, makeWav } from "../../../../src/sandbox/media-fixtures.js";
import { logLines, startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Chat = {
  model: string;
  text: string;
  json?: unknown;
  reasoning?: string;
  finish_reason?: string;
  usage?: { total_tokens?: number };
  request_id?: string;
};
type Job = {
  job_id: string;
  status: string;
  vendor: string;
  error?: { code: string; message: string };
  assets: Array<{ uri: string; path: string; mime_type: string; bytes: number; duration_s?: number }>;
};

const SCHEMA = {
  type: "object",
  properties: {
    title: { type: "string" },
    tags: { type: "array", items: { type: "string" }, minItems: 1 },
    score: { type: "number", minimum: 0, maximum: 1 },
  },
  required: ["title", "tags", "score"],
  additionalProperties: false,
};

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;
  const requestsSince = (n: number) => gw().sim.requests.slice(n);

  it("lists the five gateway tools", async () => {
    const names = (await h.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["gateway_chat", "gateway_embed", "gateway_rerank", "gateway_transcribe", "gateway_speech"]),
    );
  });

  it("chat: streams the answer with progress, sends the key as a header and nothing auth-like in the body", async () => {
    const before = gw().sim.requests.length;
    const progress: Progress[] = [];
    const r = await h.call(
      "gateway_chat",
      { prompt: "[slow] describe a lighthouse in a storm", system: "be vivid", temperature: 0.3 },
      { onprogress: (p) => progress.push(p) },
    );
    expect(r.isError).toBeFalsy();
    const s = structured<Chat>(r);
    expect(s.model).toBe("qwen-plus");
    expect(s.text).toMatch(/lighthouse/);
    expect(s.finish_reason).toBe("stop");
    expect(s.usage?.total_tokens).toBeGreaterThan(0);
    expect(text(r)).toContain(s.text);
    expect(progress.some((p) => /receiving the answer/.test(p.message ?? ""))).toBe(true);
    const [req] = requestsSince(before);
    expect(req!.path).toBe("/v1/chat/completions");
    expect(header(req!, "authorization")).toBe(`Bearer ${gw().apiKey}`);
    expect(req!.json).toMatchObject({
      model: "qwen-plus",
      stream: true,
      temperature: 0.3,
      messages: [{ role: "system", content: "be vivid" }, { role: "user" }],
    });
    expect(JSON.stringify(req!.json)).not.toMatch(/extra_headers|authorization|Bearer/i);
  });

  it("chat: a JSON schema answer is validated and returned as structuredContent.json", async () => {
    const r = await h.call("gateway_chat", { prompt: "tag this article about tides", response_format: { schema: SCHEMA, name: "tags" } });
    expect(r.isError).toBeFalsy();
    const json = structured<Chat>(r).json as { title: string; tags: string[]; score: number };
    expect(typeof json.title).toBe("string");
    expect(json.tags.length).toBeGreaterThan(0);
    expect(JSON.parse(text(r).split("\n\n(")[0]!)).toEqual(json);

    const bad = await h.call("gateway_chat", { prompt: "[bad-json] tag this", response_format: { schema: SCHEMA } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/SchemaMismatch/);
    expect(text(bad)).toMatch(/must have required property|required/);
    expect(text(bad)).toMatch(/The raw answer was:/);

    const obj = await h.call("gateway_chat", { messages: [{ role: "user", content: "give me JSON" }], response_format: "json_object" });
    expect(structured<Chat>(obj).json).toEqual(expect.any(Object));

    const invalid = await h.call("gateway_chat", { prompt: "x", response_format: { schema: { type: "nonsense" } } });
    expect(invalid.isError).toBe(true);
    expect(text(invalid)).toMatch(/response_format\.schema: is not a valid JSON Schema/);
  });

  it("chat: thinking is switched both ways and its reasoning comes back separately", async () => {
    const before = gw().sim.requests.length;
    const r = structured<Chat>(await h.call("gateway_chat", { prompt: "why is the sky blue?", model: "qwen3-8b", enable_thinking: true }));
    expect(r.reasoning).toBeTruthy();
    expect(r.text).not.toContain(r.reasoning!);
    expect(requestsSince(before)[0]!.json).toMatchObject({
      model: "qwen3-8b",
      enable_thinking: true,
      chat_template_kwargs: { enable_thinking: true },
    });
  });

  it("chat: cancelling the call aborts the gateway request", async () => {
    const before = gw().sim.requests.length;
    const ac = new AbortController();
    const call = h.call("gateway_chat", { prompt: "[slow] [slow] a very long story ".repeat(20) }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(requestsSince(before)[0]!.aborted).toBe(true);
  });

  it("chat: bad input is refused before any call, naming the field", async () => {
    const before = gw().sim.requests.length;
    const both = await h.call("gateway_chat", { prompt: "a", messages: [{ role: "user", content: "b" }] });
    expect(text(both)).toMatch(/prompt: pass either messages or prompt/);
    const noUser = await h.call("gateway_chat", { messages: [{ role: "assistant", content: "b" }] });
    expect(text(noUser)).toMatch(/messages: needs at least one message with role user/);
    const temp = await h.call("gateway_chat", { prompt: "a", temperature: 3 });
    expect(temp.isError).toBe(true);
    expect(text(temp)).toMatch(/temperature/);
    expect(gw().sim.requests.length).toBe(before);
  });

  it("chat: model errors keep their code; unknown models name the variable", async () => {
    const r = await h.call("gateway_chat", { prompt: "hi", model: "no-such-model" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^AI Gateway error \(model_not_found, HTTP 404, request id [^)]+\)/);
    expect(text(r)).toMatch(/AI_GATEWAY_CHAT_MODEL/);
    const blocked = await h.call("gateway_chat", { prompt: "[blocked] hi" });
    expect(text(blocked)).toMatch(/data_inspection_failed/);
  });

  it("embed: vectors in structuredContent, a one-line text", async () => {
    const before = gw().sim.requests.length;
    const r = await h.call("gateway_embed", { texts: ["tide tables", "moon phases", "tide tables"], dimensions: 256 });
    expect(r.isError).toBeFalsy();
    const s = structured<{ model: string; dimensions: number; count: number; vectors: number[][] }>(r);
    expect(s).toMatchObject({ model: "text-embedding-v4", dimensions: 256, count: 3 });
    expect(s.vectors[0]).toEqual(s.vectors[2]);
    expect(s.vectors[0]).not.toEqual(s.vectors[1]);
    expect(text(r).length).toBeLessThan(400);
    expect(requestsSince(before)[0]!.json).toMatchObject({
      model: "text-embedding-v4",
      input: ["tide tables", "moon phases", "tide tables"],
      dimensions: 256,
      encoding_format: "float",
    });
    const empty = await h.call("gateway_embed", { texts: ["ok", ""] });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/texts/);
  });

  it("rerank: best first with index, score and document; top_n checked", async () => {
    const docs = ["The capital of France is Paris.", "Bananas are yellow.", "Paris is the capital and largest city of France."];
    const r = await h.call("gateway_rerank", { query: "capital of France", documents: docs, top_n: 2 });
    const s = structured<{ results: Array<{ index: number; score: number; document: string }> }>(r);
    expect(s.results).toHaveLength(2);
    expect(s.results.map((x) => x.index)).not.toContain(1);
    expect(s.results[0]!.score).toBeGreaterThanOrEqual(s.results[1]!.score);
    expect(s.results[0]!.document).toBe(docs[s.results[0]!.index]);
    const tooMany = await h.call("gateway_rerank", { query: "q", documents: ["a"], top_n: 2 });
    expect(text(tooMany)).toMatch(/top_n: at most the number of documents \(1\)/);
  });

  it("speech → transcribe round trip: audio embedded and saved, then uploaded as multipart from its media:// URI", async () => {
    const sentence = "The tide comes in at seven.";
    const r = await h.call("gateway_speech", { text: sentence, format: "wav", wait_seconds: 20 });
    expect(r.isError).toBeFalsy();
    const job = structured<Job>(r);
    expect(job).toMatchObject({ status: "succeeded", vendor: "gateway" });
    expect(job.assets[0]!.mime_type).toBe("audio/wav");
    expect(job.assets[0]!.path.startsWith(h.dir)).toBe(true);
    const embedded = r.content.find((c) => c.type === "resource");
    expect(embedded).toBeTruthy();

    const before = gw().sim.requests.length;
    const t = await h.call("gateway_transcribe", { audio: job.assets[0]!.uri, language: "en", prompt: "tides" });
    expect(t.isError).toBeFalsy();
    expect(structured<{ text: string }>(t).text).toBe(sentence);
    const req = requestsSince(before)[0]!;
    expect(req.path).toBe("/v1/audio/transcriptions");
    expect(String(req.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);

    for (const format of ["mp3", "opus"] as const) {
      const a = structured<Job>(await h.call("gateway_speech", { text: `Format ${format}.`, format, wait_seconds: 20 }));
      expect(a.assets[0]!.mime_type).toBe(format === "mp3" ? "audio/mpeg" : "audio/ogg");
      expect(structured<{ text: string }>(await h.call("gateway_transcribe", { audio: a.assets[0]!.uri })).text).toBe(`Format ${format}.`);
    }
  });

  it("transcribe: a data: URI works, a picture is refused naming the field", async () => {
    const wav = `data:audio/wav;base64,${makeWav({ seconds: 0.5 }).toString("base64")}`;
    const ok = await h.call("gateway_transcribe", { audio: wav });
    expect(ok.isError).toBeFalsy();
    const png = `data:image/png;base64,${makePng(8, 8).toString("base64")}`;
    const bad = await h.call("gateway_transcribe", { audio: png });
    expect(text(bad)).toMatch(/audio: data URI is image\/png; expected audio or video/);
  });

  it("transcribe: an http(s) URL is downloaded here (capped, type-checked) and uploaded", async () => {
    const { speak } = await import("../../../../src/vendors/gateway/simulator-audio.js");
    const url = gw().sim.publish(speak("Downloaded first.", "wav", 1), "audio/wav", 3600, "wav");
    const r = await h.call("gateway_transcribe", { audio: url });
    expect(structured<{ text: string }>(r).text).toBe("Downloaded first.");
    const gone = await h.call("gateway_transcribe", { audio: url.replace(/X-Tos-Signature=[0-9a-f]+/, "X-Tos-Signature=00") });
    expect(gone.isError).toBe(true);
    expect(text(gone)).toMatch(
      /^Error \(InvalidInput\): audio: downloading http:\/\/127\.0\.0\.1:\d+\/media\/\w+\.wav failed with HTTP 404/,
    );
    const picture = gw().sim.publish(makePng(16, 16), "image/png", 3600, "png");
    expect(text(await h.call("gateway_transcribe", { audio: picture }))).toMatch(/audio: .* is image\/png; expected audio or video/);
  });

  it("speech: unsupported format and missing voice are clear", async () => {
    const aac = await h.call("gateway_speech", { text: "hi", format: "aac", wait_seconds: 20 });
    expect(aac.isError).toBe(true);
    expect(text(aac)).toMatch(/unsupported_format/);
    const voice = await h.call("gateway_speech", { text: "hi", voice: "nobody", wait_seconds: 20 });
    expect(voice.isError).toBe(true);
  });

  it("a 429 from the gateway is retried; three in a row are reported as a rate limit", async () => {
    gw().sim.inject({
      kind: "status",
      status: 429,
      body: "Too many requests",
      headers: { "content-type": "text/plain", "retry-after": "0" },
    });
    const ok = await h.call("gateway_embed", { texts: ["once"] });
    expect(ok.isError).toBeFalsy();
    gw().sim.inject({
      kind: "status",
      status: 429,
      body: "Too many requests",
      headers: { "content-type": "text/plain", "retry-after": "0" },
      times: 3,
    });
    const r = await h.call("gateway_chat", { prompt: "hi" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^AI Gateway error \(HTTP429, HTTP 429[^)]*\): Too many requests\nWhat to do: .*rate limit/);
  });

  it("never shows the key", () => {
    expect(logLines.join("\n")).not.toContain(gw().apiKey);
  });
});

describe("gateway configuration edge cases (in-process)", () => {
  it("a tool with no model configured or passed names the variable", async () => {
    const h = await startHarness({ env: { AI_GATEWAY_EMBED_MODEL: "", AI_GATEWAY_TTS_VOICE: "" } });
    try {
      const r = await h.call("gateway_embed", { texts: ["a"] });
      expect(text(r)).toMatch(/model: no model given and AI_GATEWAY_EMBED_MODEL is not set/);
      const s = await h.call("gateway_speech", { text: "a" });
      expect(text(s)).toMatch(/voice: no voice given and AI_GATEWAY_TTS_VOICE is not set/);
      expect(structured<Chat>(await h.call("gateway_embed", { texts: ["a"], model: "text-embedding-v4" }))).toMatchObject({
        model: "text-embedding-v4",
      });
    } finally {
      await h.close();
    }
  });

  it("a custom key header is honoured, and a wrong key gets the gateway's plain-text 403 mapped", async () => {
    const h = await startHarness({ gateway: { keyHeader: "x-api-key" }, env: { AI_GATEWAY_API_KEY_HEADER: "X-Api-Key" } });
    try {
      const gw = h.sandbox.gateway;
      const before = gw.sim.requests.length;
      expect((await h.call("gateway_rerank", { query: "a", documents: ["a b", "c"] })).isError).toBeFalsy();
      const req = gw.sim.requests[before]!;
      expect(header(req, "x-api-key")).toBe(gw.apiKey);
      expect(header(req, "authorization")).toBeUndefined();
    } finally {
      await h.close();
    }
    const wrong = await startHarness({ env: { AI_GATEWAY_API_KEY: "not-the-gateway-key-123" } });
    try {
      const r = await wrong.call("gateway_chat", { prompt: "hi" });
      expect(text(r)).toMatch(/^AI Gateway error \(ConsumerUnauthorized, HTTP 403/);
      expect(text(r)).toMatch(/Unauthorized consumer/);
      expect(text(r)).not.toContain("not-the-gateway-key-123");
    } finally {
      await wrong.close();
    }
  });
});

describe("gateway tools with JWT auth (in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const jwtEnv = (h0: Harness, extra: Record<string, string> = {}) => ({
    AI_GATEWAY_API_KEY: "",
    AI_GATEWAY_JWT_KEY: h0.sandbox.gateway.jwks,
    AI_GATEWAY_JWT_UID: h0.sandbox.gateway.jwtUid,
    ...extra,
  });

  it("every endpoint receives the minted JWT as a header", async () => {
    const j = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: jwtEnv(h) });
    try {
      const gw = h.sandbox.gateway;
      const before = gw.sim.requests.length;
      expect((await j.call("gateway_chat", { prompt: "hi" })).isError).toBeFalsy();
      expect((await j.call("gateway_embed", { texts: ["a"] })).isError).toBeFalsy();
      expect((await j.call("gateway_rerank", { query: "a", documents: ["a", "b"] })).isError).toBeFalsy();
      const speech = structured<Job>(await j.call("gateway_speech", { text: "jwt speech", wait_seconds: 20 }));
      expect(speech.status).toBe("succeeded");
      expect((await j.call("gateway_transcribe", { audio: speech.assets[0]!.uri })).isError).toBeFalsy();
      const auths = gw.sim.requests.slice(before).map((q) => header(q, "authorization") ?? "");
      expect(auths).toHaveLength(5);
      for (const a of auths) expect(a).toMatch(/^Bearer eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
      expect(logLines.join("\n")).not.toMatch(/eyJ[\w-]{6,}\.eyJ/);
    } finally {
      await j.close();
    }
  });

  it("a wrong uid is refused as an unauthorised consumer, a clock far behind as an expired JWT", async () => {
    const wrongUid = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: jwtEnv(h, { AI_GATEWAY_JWT_UID: "someone-else" }),
    });
    try {
      const r = await wrongUid.call("gateway_embed", { texts: ["a"] });
      expect(text(r)).toMatch(/ConsumerUnauthorized, HTTP 403/);
      expect(text(r)).toMatch(/uid "someone-else"/);
    } finally {
      await wrongUid.close();
    }
    const shortLived = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: jwtEnv(h, { AI_GATEWAY_JWT_TTL_S: "60" }) });
    try {
      h.sandbox.gateway.sim.advance(61_000 + 60_000); // past exp plus the 60 s skew
      const r = await shortLived.call("gateway_embed", { texts: ["a"] });
      expect(text(r)).toMatch(/JwtExpired, HTTP 401/);
      expect(text(r)).toMatch(/clock/);
    } finally {
      h.sandbox.gateway.sim.advance(-(61_000 + 60_000));
      await shortLived.close();
    }
  });

  it("a token signed with another key fails verification", async () => {
    const other = JSON.stringify({ keys: [{ kty: "oct", alg: "HS256", k: Buffer.alloc(32, 7).toString("base64url") }] });
    const bad = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: jwtEnv(h, { AI_GATEWAY_JWT_KEY: other }) });
    try {
      const r = await bad.call("gateway_rerank", { query: "a", documents: ["a"] });
      expect(text(r)).toMatch(/JwtInvalid, HTTP 401/);
      expect(text(r)).toMatch(/AI_GATEWAY_JWT_KEY/);
    } finally {
      await bad.close();
    }
  });
});
