import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewaySimulator } from "../../src/sandbox/gateway-sim.js";
import { readSpokenText, speak } from "../../src/sandbox/speech-audio.js";
import { probeFile, sniffBytes } from "../../src/media/sniff.js";
import { signJwt } from "../../src/vendors/shared/jwt.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/harness.js";

/** The simulator's wire contract, checked with plain fetch (no project client code). */
describe("AI Gateway simulator", () => {
  let gw: GatewaySimulator;
  beforeAll(async () => {
    gw = await new GatewaySimulator({ chunkDelayMs: 1, speechDelayMs: 1 }).start();
  });
  afterAll(() => gw.close());
  const post = (path: string, body: unknown, auth = `Bearer ${gw.apiKey}`) =>
    fetch(`${gw.baseUrl}/${path}`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify(body) });
  const jwt = (claims: Record<string, unknown>) => `Bearer ${signJwt(claims, gw.jwtSecret)}`;
  const now = () => Math.floor(Date.now() / 1000);

  it("answers auth failures in plain text like the gateway", async () => {
    const none = await fetch(`${gw.baseUrl}/models`);
    expect([none.status, none.headers.get("content-type"), await none.text()]).toEqual([401, "text/plain; charset=utf-8", "Request denied by Key Auth check. No Key Authentication information found."]);
    const wrong = await post("embeddings", { model: "text-embedding-v4", input: "a" }, "Bearer nope");
    expect([wrong.status, await wrong.text()]).toEqual([403, "Request denied by Key Auth check. Unauthorized consumer."]);
  });

  it("verifies JWTs: signature, uid, and expiry with 60 s of skew", async () => {
    const body = { model: "text-embedding-v4", input: "a" };
    expect((await post("embeddings", body, jwt({ uid: gw.jwtUid, exp: now() + 60 }))).status).toBe(200);
    expect((await post("embeddings", body, jwt({ uid: gw.jwtUid, exp: now() - 30 }))).status).toBe(200); // within the skew
    const expired = await post("embeddings", body, jwt({ uid: gw.jwtUid, exp: now() - 90 }));
    expect([expired.status, await expired.text()]).toEqual([401, "Request denied by JWT Auth check. JWT is expired."]);
    const other = await post("embeddings", body, jwt({ uid: "other", exp: now() + 60 }));
    expect([other.status, await other.text()]).toEqual([403, "Request denied by JWT Auth check. Unauthorized consumer."]);
    const forged = await post("embeddings", body, `Bearer ${signJwt({ uid: gw.jwtUid }, "wrong-secret")}`);
    expect([forged.status, await forged.text()]).toEqual([401, "Request denied by JWT Auth check. JWT verification fails"]);
  });

  it("streams chat as SSE ending in [DONE], with a usage chunk when asked", async () => {
    const res = await post("chat/completions", { model: "qwen-plus", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hello there" }] });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toMatch(/hello there/);
    const plain = await (await post("chat/completions", { model: "qwen-plus", messages: [{ role: "user", content: "hi" }], max_tokens: 3 })).json();
    expect(plain).toMatchObject({ object: "chat.completion", choices: [{ finish_reason: "length" }] });
  });

  it("embeddings include model and honour dimensions and base64", async () => {
    const f = (await (await post("embeddings", { model: "text-embedding-v4", input: ["a", "b"], dimensions: 64 })).json()) as { model: string; data: Array<{ embedding: number[] }> };
    expect(f.model).toBe("text-embedding-v4");
    expect(f.data[0]!.embedding).toHaveLength(64);
    const b = (await (await post("embeddings", { model: "text-embedding-v4", input: ["a"], dimensions: 64, encoding_format: "base64" })).json()) as { data: Array<{ embedding: string }> };
    expect(Buffer.from(b.data[0]!.embedding, "base64").readFloatLE(0)).toBeCloseTo(f.data[0]!.embedding[0]!, 5);
    expect((await post("embeddings", { model: "text-embedding-v4", input: ["a"], dimensions: 8 })).status).toBe(400);
  });

  it("speech audio is real and carries its text; transcription reads it back from multipart", async () => {
    for (const format of ["mp3", "wav", "opus"] as const) {
      const res = await post("audio/speech", { model: "cosyvoice-v2", input: `Say ${format}.`, voice: "alloy", response_format: format });
      const audio = Buffer.from(await res.arrayBuffer());
      expect(sniffBytes(audio)?.mime).toBe(res.headers.get("content-type"));
      const form = new FormData();
      form.append("file", new Blob([audio]), `a.${format}`);
      form.append("model", "paraformer-v2");
      const t = (await (await fetch(`${gw.baseUrl}/audio/transcriptions`, { method: "POST", headers: { authorization: `Bearer ${gw.apiKey}` }, body: form })).json()) as { text: string };
      expect(t.text).toBe(`Say ${format}.`);
    }
    const missing = new FormData();
    missing.append("model", "paraformer-v2");
    expect((await fetch(`${gw.baseUrl}/audio/transcriptions`, { method: "POST", headers: { authorization: `Bearer ${gw.apiKey}` }, body: missing })).status).toBe(400);
  });

  it("makes Ogg Opus, WAV and MP3 files whose durations probe right", async () => {
    const dir = tempDir();
    for (const [format, mime] of [["wav", "audio/wav"], ["mp3", "audio/mpeg"]] as const) {
      const path = join(dir, `x.${format}`);
      writeFileSync(path, speak("durations", format, 2));
      const info = await probeFile(path);
      expect(info?.mime).toBe(mime);
      expect(info?.duration_s).toBeCloseTo(2, 0);
    }
    const ogg = speak("ogg text", "opus", 1.5);
    expect(readSpokenText(ogg)).toBe("ogg text");
    // Every Ogg page's CRC must verify: recompute over the page with its CRC field zeroed.
    let pages = 0;
    for (let p = 0; p < ogg.length; pages++) {
      expect(ogg.toString("latin1", p, p + 4)).toBe("OggS");
      const segs = ogg[p + 26]!;
      const len = 27 + segs + [...ogg.subarray(p + 27, p + 27 + segs)].reduce((a, b) => a + b, 0);
      const page = Buffer.from(ogg.subarray(p, p + len));
      const crc = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      expect(oggCrcRef(page)).toBe(crc);
      p += len;
    }
    expect(pages).toBeGreaterThanOrEqual(4); // head, tags, two audio pages
  });

  it("[429] answers the rate limiter's plain text", async () => {
    const r = await post("rerank", { model: "gte-rerank-v2", query: "[429]", documents: ["a"] });
    expect([r.status, await r.text()]).toEqual([429, "Too many requests"]);
  });
});

/** Bit-by-bit reference CRC-32 (poly 0x04C11DB7, init 0, unreflected), independent of the table version. */
function oggCrcRef(b: Buffer): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}
