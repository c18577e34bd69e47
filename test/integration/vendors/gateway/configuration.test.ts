/** Tool behaviour that depends on the AI_GATEWAY_* settings: default models and voices, the key header, a wrong key. */
import { describe, expect, it } from "vitest";
import { header } from "../../../../src/sandbox/sim-server.js";
import { startHarness, structured, text } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

type Chat = {
  model: string;
  text: string;
  json?: unknown;
  reasoning?: string;
  finish_reason?: string;
  usage?: { total_tokens?: number };
  request_id?: string;
};

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
      const before = mark(gw);
      expect((await h.call("gateway_rerank", { query: "a", documents: ["a b", "c"] })).isError).toBeFalsy();
      const req = before.since()[0]!;
      expect(header(req, "x-api-key")).toBe(gw.apiKey);
      expect(header(req, "authorization")).toBeUndefined();
    } finally {
      await h.close();
    }
    const wrong = await startHarness({ env: { AI_GATEWAY_API_KEY: "not-the-gateway-key-123" } });
    try {
      const r = await wrong.call("gateway_chat", { prompt: "hi" });
      expect(text(r)).toMatch(/^Error: ConsumerUnauthorized \(AI Gateway, HTTP 403/);
      expect(text(r)).toMatch(/Unauthorized consumer/);
      expect(text(r)).not.toContain("not-the-gateway-key-123");
    } finally {
      await wrong.close();
    }
  });
});
