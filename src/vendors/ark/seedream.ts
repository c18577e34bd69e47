/** Seedream request rules and body building. Pure functions: validated before any network call. */
import { inputError } from "../../errors.js";
import type { PollResult, VendorOutput } from "../../jobs/types.js";
import { tosUrlExpiry, type ArkImagesResponse } from "./client.js";
import { ARK } from "./errors.js";
import { findSeedream } from "./models.js";

export const MAX_REFERENCE_IMAGES = 14;
export const MAX_GROUP_TOTAL = 15;

export interface SeedreamRequest {
  prompt: string;
  model: string;
  /** URLs or data: URIs, already loaded and checked. */
  images: string[];
  size?: string;
  seed?: number;
  watermark?: boolean;
  max_images?: number;
  prompt_optimization?: "standard" | "fast";
}

/** Checks the rules that depend on the model and on several fields together. */
export function checkSeedream(req: {
  model: string;
  imageCount: number;
  size?: string;
  max_images?: number;
  prompt_optimization?: string;
}): void {
  const model = findSeedream(req.model);
  const maxRefs = model?.maxReferenceImages ?? MAX_REFERENCE_IMAGES;
  if (req.imageCount > maxRefs) {
    throw inputError("images", `${model?.label ?? req.model} accepts at most ${maxRefs} reference image(s); got ${req.imageCount}`);
  }
  if (req.max_images !== undefined && req.max_images > 1) {
    if (model && !model.groups)
      throw inputError("max_images", `${model.label} cannot generate image groups; use max_images 1 or a Seedream 4.x/5.x model`);
    if (req.imageCount + req.max_images > MAX_GROUP_TOTAL) {
      throw inputError(
        "max_images",
        `reference images + generated images must be at most ${MAX_GROUP_TOTAL}; with ${req.imageCount} reference image(s) use max_images <= ${MAX_GROUP_TOTAL - req.imageCount}`,
      );
    }
  }
  if (req.prompt_optimization === "fast" && model && !model.fastPromptOptimization) {
    throw inputError("prompt_optimization", `${model.label} supports only "standard"`);
  }
  if (req.size) checkSize(req.size, model);
}

function checkSize(size: string, model: ReturnType<typeof findSeedream>): void {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) {
    if (model && !model.tiers.includes(size)) {
      throw inputError(
        "size",
        `${model.label} accepts ${[...model.tiers.map((t) => `"${t}"`), '"WIDTHxHEIGHT"'].join(", ")}; got "${size}"`,
      );
    }
    return;
  }
  const w = Number(m[1]);
  const h = Number(m[2]);
  const ratio = w / h;
  if (ratio < 1 / 16 || ratio > 16) throw inputError("size", `aspect ratio must be between 1:16 and 16:1; ${size} is ${ratio.toFixed(3)}`);
  if (model) {
    const px = w * h;
    if (px < model.minPixels || px > model.maxPixels) {
      throw inputError(
        "size",
        `${model.label} needs between ${model.minPixels} and ${model.maxPixels} pixels in total (e.g. 2048x2048); ${size} has ${px}`,
      );
    }
  }
}

export function seedreamBody(req: SeedreamRequest): Record<string, unknown> {
  const group = (req.max_images ?? 1) > 1;
  return {
    model: req.model,
    prompt: req.prompt,
    ...(req.images.length === 1 ? { image: req.images[0] } : req.images.length > 1 ? { image: req.images } : {}),
    ...(req.size ? { size: req.size } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
    ...(req.watermark !== undefined ? { watermark: req.watermark } : {}),
    sequential_image_generation: group ? "auto" : "disabled",
    ...(group ? { sequential_image_generation_options: { max_images: req.max_images } } : {}),
    ...(req.prompt_optimization ? { optimize_prompt_options: { mode: req.prompt_optimization } } : {}),
    response_format: "url",
    stream: false,
  };
}

/** Turns the images answer into job outputs; per-image failures are reported, not hidden. */
export function seedreamResult(res: ArkImagesResponse, now = Date.now()): PollResult {
  const outputs: VendorOutput[] = [];
  const failures: string[] = [];
  for (const item of res.data ?? []) {
    if (item.url) outputs.push({ url: item.url, expiresAt: tosUrlExpiry(item.url, now + 24 * 3600_000) });
    else if (item.b64_json) outputs.push({ data: Buffer.from(item.b64_json, "base64") });
    else if (item.error) failures.push(`${item.error.code ?? "Error"}: ${item.error.message ?? ""}`.trim());
  }
  if (!outputs.length) {
    const first = failures[0] ?? res.error?.code ?? "NoOutput";
    return {
      status: "failed",
      model: res.model,
      error: { code: first.split(":")[0]!, message: failures.join("; ") || res.error?.message || `${ARK} returned no image` },
    };
  }
  return {
    status: "succeeded",
    model: res.model,
    outputs,
    ...(failures.length ? { detail: `${failures.length} image(s) were not generated: ${failures.join("; ")}` } : {}),
  };
}
