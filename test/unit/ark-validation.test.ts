/**
 * The request rules Ark's API shape imposes on every model (the only ones aigc-mcp applies
 * locally) and the request bodies. Per-model capabilities are catalog advice: see
 * test/integration/vendors/ark/catalog.test.ts.
 */
import { describe, expect, it } from "vitest";
import { AigcError } from "../../src/errors.js";
import { checkSeedanceContent, seedanceBody } from "../../src/vendors/ark/seedance.js";
import { checkSeedreamGroup, seedreamBody } from "../../src/vendors/ark/seedream.js";

const SD20 = "doubao-seedance-2-0-260128";
const SD25 = "doubao-seedance-2-5-260628";
const S50 = "doubao-seedream-5-0-pro-260628";
const S40 = "doubao-seedream-4-0-20260415";

function fieldOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AigcError);
    return (err as AigcError).message.split(":")[0]!;
  }
  throw new Error("expected a validation error");
}

describe("Seedream rules of the request shape", () => {
  it("reference + generated images of a group are at most 15; single images have no group limit", () => {
    expect(() => checkSeedreamGroup({ imageCount: 2, max_images: 13 })).not.toThrow();
    expect(() => checkSeedreamGroup({ imageCount: 14, max_images: 1 })).not.toThrow();
    expect(() => checkSeedreamGroup({ imageCount: 14 })).not.toThrow();
    expect(fieldOf(() => checkSeedreamGroup({ imageCount: 3, max_images: 13 }))).toBe("max_images");
  });

  it("sends sequential_image_generation only for a group, never as disabled", () => {
    const single = seedreamBody({ prompt: "p", model: S50, images: [], max_images: 1 });
    expect(single).not.toHaveProperty("sequential_image_generation");
    expect(single).not.toHaveProperty("sequential_image_generation_options");
    expect(seedreamBody({ prompt: "p", model: S50, images: [] })).toEqual({ model: S50, prompt: "p", response_format: "url" });
    const group = seedreamBody({ prompt: "p", model: S40, images: ["https://x/a.png", "asset://img-1"], max_images: 4 });
    expect(group).toMatchObject({
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 4 },
      image: ["https://x/a.png", "asset://img-1"],
      response_format: "url",
    });
    expect(seedreamBody({ prompt: "p", model: S40, images: ["https://x/a.png"] }).image).toBe("https://x/a.png");
  });

  it("puts thinking next to the optimisation mode, and passes output_format and lowercase tiers as given", () => {
    expect(seedreamBody({ prompt: "p", model: S50, images: [], thinking: "disabled" })).toMatchObject({
      optimize_prompt_options: { thinking: "disabled" },
    });
    expect(
      seedreamBody({
        prompt: "p",
        model: S50,
        images: [],
        prompt_optimization: "fast",
        thinking: "auto",
        output_format: "png",
        size: "2k",
      }),
    ).toMatchObject({ optimize_prompt_options: { mode: "fast", thinking: "auto" }, output_format: "png", size: "2k" });
    expect(seedreamBody({ prompt: "p", model: S50, images: [] })).not.toHaveProperty("optimize_prompt_options");
  });
});

describe("Seedance rules of the request shape", () => {
  it("needs something to make a video from", () => {
    expect(fieldOf(() => checkSeedanceContent({}))).toBe("prompt");
    expect(fieldOf(() => checkSeedanceContent({ reference_images: [] }))).toBe("prompt");
    for (const req of [{ prompt: "p" }, { first_frame: "a" }, { reference_audios: ["a"] }, { draft_task_id: "cgt-1" }]) {
      expect(() => checkSeedanceContent(req)).not.toThrow();
    }
  });

  it("leaves per-model combinations to Ark: frames with references, a last frame alone, audio-only references", () => {
    for (const req of [
      { prompt: "p", first_frame: "a", reference_images: ["b"] },
      { prompt: "p", last_frame: "a" },
      { prompt: "p", reference_audios: ["a"] },
      { draft_task_id: "cgt-1", first_frame: "a" },
    ]) {
      expect(() => checkSeedanceContent(req), JSON.stringify(req)).not.toThrow();
    }
  });

  it("builds content items with roles, and defaults drafts to 480p", () => {
    const body = seedanceBody({
      model: SD25,
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
      reference_images: ["asset://i"],
      reference_videos: ["https://v"],
      reference_audios: ["https://a"],
    });
    expect((refs.content as Array<{ role?: string }>).map((c) => c.role)).toEqual([
      undefined,
      "reference_image",
      "reference_video",
      "reference_audio",
    ]);
    expect((refs.content as Array<{ image_url?: { url: string } }>)[1]!.image_url!.url).toBe("asset://i");
  });

  it("sends output_format and omni_reference_task_type only when given", () => {
    expect(seedanceBody({ model: SD25, prompt: "p", output_format: "mov", omni_reference_task_type: "first_last_frame" })).toMatchObject({
      output_format: "mov",
      omni_reference_task_type: "first_last_frame",
    });
    const plain = seedanceBody({ model: SD20, prompt: "p" });
    expect(plain).not.toHaveProperty("output_format");
    expect(plain).not.toHaveProperty("omni_reference_task_type");
  });
});
