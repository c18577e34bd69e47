import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

describe("Ark tools end to end (in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("seedream_generate_image saves real JPEGs and embeds them", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "a lighthouse", size: "2048x2048", max_images: 2 });
    expect(r.isError).toBeFalsy();
    const s = structured<{
      status: string;
      assets: Array<{ path: string; mime_type: string; width: number; url: string; expires_at: string; sha256: string }>;
    }>(r);
    expect(s.status).toBe("succeeded");
    expect(s.assets).toHaveLength(2);
    for (const a of s.assets) {
      expect(a.mime_type).toBe("image/jpeg");
      expect(a.path.startsWith(h.dir)).toBe(true);
      expect(a.width).toBe(256);
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1/);
      expect(Date.parse(a.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(r.content.filter((c) => c.type === "resource")).toHaveLength(2);
    expect(text(r)).toContain(s.assets[0]!.path);
  });

  it("moderation failures come back as isError with what to change", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "[blocked] something" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/InputTextSensitiveContentDetected/);
    expect(text(r)).toMatch(/What to do|Rephrase/);
    // The vendor's sentence ends in a full stop; the hint follows on its own line, and no second stop is added (issue 12 item 15).
    const shown = JSON.stringify(r);
    expect(text(r)).toContain("sensitive information.\nWhat to do");
    expect(shown).not.toMatch(/\w\.\. /);
  });
});

describe("tool input validation over MCP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("names the field for ranges and patterns", async () => {
    expect(text(await h.call("seedream_generate_image", { prompt: "p", max_images: 16 }))).toMatch(/max_images/);
    expect(text(await h.call("seedream_generate_image", { prompt: "p", size: "huge" }))).toMatch(
      /^Error: InvalidInput: size: must be a tier such as "2K" or "2k"/,
    );
  });

  it("rejects bad media inputs by field and index", async () => {
    const r = await h.call("seedream_generate_image", {
      prompt: "p",
      images: ["https://x.example/a.png", "data:image/png;base64,bm90IGFuIGltYWdl"],
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/images\[1\]: data URI is not a recognised media file; expected image/);
  });
});
