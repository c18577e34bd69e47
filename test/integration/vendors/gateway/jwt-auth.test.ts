/** Every gateway tool with JWT auth (AI_GATEWAY_JWT_*) instead of a key. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { header } from "../../../../src/sandbox/sim-server.js";
import { logLines, startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, mark } from "../../../helpers/results.js";

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
      const before = mark(gw);
      expect((await j.call("gateway_chat", { prompt: "hi" })).isError).toBeFalsy();
      expect((await j.call("gateway_embed", { texts: ["a"] })).isError).toBeFalsy();
      expect((await j.call("gateway_rerank", { query: "a", documents: ["a", "b"] })).isError).toBeFalsy();
      const speech = jobOf(await j.call("gateway_speech", { text: "jwt speech", wait_seconds: 20 }));
      expect(speech.status).toBe("succeeded");
      expect((await j.call("gateway_transcribe", { audio: speech.assets[0]!.uri })).isError).toBeFalsy();
      const auths = before.since().map((q) => header(q, "authorization") ?? "");
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
      expect(text(r)).toMatch(/ConsumerUnauthorized \(AI Gateway, HTTP 403/);
      expect(text(r)).toMatch(/uid "someone-else"/);
    } finally {
      await wrongUid.close();
    }
    const shortLived = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: jwtEnv(h, { AI_GATEWAY_JWT_TTL_S: "60" }) });
    try {
      h.sandbox.gateway.sim.advance(61_000 + 60_000); // past exp plus the 60 s skew
      const r = await shortLived.call("gateway_embed", { texts: ["a"] });
      expect(text(r)).toMatch(/JwtExpired \(AI Gateway, HTTP 401/);
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
      expect(text(r)).toMatch(/JwtInvalid \(AI Gateway, HTTP 401/);
      expect(text(r)).toMatch(/AI_GATEWAY_JWT_KEY/);
    } finally {
      await bad.close();
    }
  });
});
