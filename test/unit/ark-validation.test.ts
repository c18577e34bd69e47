import { describe, expect, it } from "vitest";
import { AigcError } from "../../src/errors.js";
import { checkSeedance, seedanceBody } from "../../src/vendors/ark/seedance.js";
import { checkSeedream, seedreamBody } from "../../src/vendors/ark/seedream.js";

const SD15 = "doubao-seedance-1-5-pro-251215";
const SD20 = "doubao-seedance-2-0-260128";
const LITE_I2V = "doubao-seedance-1-0-lite-i2v-250428";
const S45 = "doubao-seedream-4-5-251128";

function fieldOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AigcError);
    return (err as AigcError).message.split(":")[0]!;
  }
  throw new Error("expected a validation error");
}

describe("Seedream rules", () => {
  it("accepts the documented shapes", () => {
    expect(() => checkSeedream({ model: S45, imageCount: 14, size: "2K" })).not.toThrow();
    expect(() => checkSeedream({ model: S45, imageCount: 2, max_images: 13 })).not.toThrow();
    expect(() => checkSeedream({ model: "ep-20250101-abc", imageCount: 3, size: "999x999" })).not.toThrow();
  });
  it.each([
    [{ model: S45, imageCount: 15 }, "images"],
    [{ model: S45, imageCount: 3, max_images: 13 }, "max_images"],
    [{ model: S45, imageCount: 0, size: "1K" }, "size"],
    [{ model: S45, imageCount: 0, size: "1024x1024" }, "size"],
    [{ model: S45, imageCount: 0, size: "4096x200" }, "size"],
    [{ model: "doubao-seedream-3-0-t2i-250415", imageCount: 1 }, "images"],
    [{ model: S45, imageCount: 0, prompt_optimization: "fast" }, "prompt_optimization"],
  ])("rejects %j naming %s", (req, field) => {
    expect(fieldOf(() => checkSeedream(req))).toBe(field);
  });
  it("switches on sequential generation only for groups", () => {
    expect(seedreamBody({ prompt: "p", model: S45, images: [], max_images: 1 }).sequential_image_generation).toBe("disabled");
    const group = seedreamBody({ prompt: "p", model: S45, images: ["https://x/a.png", "https://x/b.png"], max_images: 4 });
    expect(group).toMatchObject({
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 4 },
      image: ["https://x/a.png", "https://x/b.png"],
      response_format: "url",
    });
    expect(seedreamBody({ prompt: "p", model: S45, images: ["https://x/a.png"] }).image).toBe("https://x/a.png");
    expect(seedreamBody({ prompt: "p", model: S45, images: [] })).not.toHaveProperty("watermark");
  });
});

describe("Seedance rules", () => {
  it.each([
    [{ model: SD15, prompt: "p", first_frame: "a", reference_images: ["b"] }, "reference_images"],
    [{ model: SD15, prompt: "p", last_frame: "a" }, "last_frame"],
    [{ model: SD20, prompt: "p", reference_audios: ["a"] }, "reference_audios"],
    [{ model: SD15, prompt: "p", reference_videos: ["v"] }, "reference_videos"],
    [{ model: SD15, prompt: "p", duration: 13 }, "duration"],
    [{ model: "doubao-seedance-1-0-pro-250528", prompt: "p", duration: -1 }, "duration"],
    [{ model: SD20, prompt: "p", resolution: "1080p" as const }, "resolution"],
    [{ model: SD15, prompt: "p", draft: true, resolution: "720p" as const }, "resolution"],
    [{ model: SD15, prompt: "p", draft: true, return_last_frame: true }, "return_last_frame"],
    [{ model: SD20, prompt: "p", draft: true }, "draft"],
    [{ model: "doubao-seedance-1-0-pro-250528", prompt: "p", generate_audio: true }, "generate_audio"],
    [{ model: LITE_I2V, prompt: "p" }, "first_frame"],
    [{ model: LITE_I2V, prompt: "p", reference_images: ["1", "2", "3", "4", "5"] }, "reference_images"],
    [{ model: "doubao-seedance-1-0-pro-fast-251015", prompt: "p", first_frame: "a", last_frame: "b" }, "last_frame"],
    [{ model: "doubao-seedance-1-0-pro-250528", prompt: "p", ratio: "adaptive" as const }, "ratio"],
    [{ model: SD15 }, "prompt"],
  ])("rejects %j naming %s", (req, field) => {
    expect(fieldOf(() => checkSeedance(req))).toBe(field);
  });
  it("builds content items with roles and defaults drafts to 480p", () => {
    const body = seedanceBody({
      model: SD15,
      prompt: "cat",
      first_frame: "https://x/1.png",
      last_frame: "data:image/png;base64,AA==",
      draft: true,
      generate_audio: true,
    });
    expect(body.content).toEqual([
      { type: "text", text: "cat" },
      { type: "image_url", image_url: { url: "https://x/1.png" }, role: "first_frame" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AA==" }, role: "last_frame" },
    ]);
    expect(body).toMatchObject({ resolution: "480p", draft: true, generate_audio: true });
    const refs = seedanceBody({
      model: SD20,
      prompt: "p",
      reference_images: ["https://i"],
      reference_videos: ["https://v"],
      reference_audios: ["https://a"],
    });
    expect((refs.content as Array<{ role?: string }>).map((c) => c.role)).toEqual([
      undefined,
      "reference_image",
      "reference_video",
      "reference_audio",
    ]);
  });
});
