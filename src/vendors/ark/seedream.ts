/**
 * Seedream request building and the one rule every model shares. Per-model capabilities (sizes,
 * reference counts, groups, thinking, output_format) are catalog advice (catalog.ts), not checked here.
 */
import { inputError } from "../../errors.js";
import type { PollResult, VendorOutput } from "../../jobs/types.js";
import { tosUrlExpiry, type ArkImagesResponse } from "./client.js";
import { ARK } from "./errors.js";
import { seedreamUsage } from "./pricing.js";

/** Documented maximum of reference images on any Seedream model (Seedream 4.x). */
export const MAX_REFERENCE_IMAGES = 14;
/** Reference images + generated images of one group request (the documented group rule). */
export const MAX_GROUP_TOTAL = 15;

export const PROMPT_OPTIMIZATION = ["standard", "fast"] as const;
export const THINKING = ["auto", "enabled", "disabled"] as const;
export const IMAGE_FORMATS = ["png", "jpeg"] as const;

export interface SeedreamRequest {
  prompt: string;
  model: string;
  /** URLs, data: URIs or vendor references, already loaded and checked. */
  images: string[];
  size?: string;
  seed?: number;
  watermark?: boolean;
  max_images?: number;
  prompt_optimization?: (typeof PROMPT_OPTIMIZATION)[number];
  thinking?: (typeof THINKING)[number];
  output_format?: (typeof IMAGE_FORMATS)[number];
}

/** The group rule of the request shape: reference + generated images at most 15. Throws AigcError (invalid_input). */
export function checkSeedreamGroup(req: { imageCount: number; max_images?: number }): void {
  if (req.max_images !== undefined && req.max_images > 1 && req.imageCount + req.max_images > MAX_GROUP_TOTAL) {
    throw inputError(
      "max_images",
      `reference images + generated images must be at most ${MAX_GROUP_TOTAL}; with ${req.imageCount} reference image(s) use max_images <= ${MAX_GROUP_TOTAL - req.imageCount}`,
    );
  }
}

/**
 * The request body. `sequential_image_generation` is sent only when asking for a group: models
 * that make single images only (Seedream 5.0 Pro/Flash) may refuse the field itself.
 */
export function seedreamBody(req: SeedreamRequest): Record<string, unknown> {
  const group = (req.max_images ?? 1) > 1;
  const optimize = {
    ...(req.prompt_optimization ? { mode: req.prompt_optimization } : {}),
    ...(req.thinking ? { thinking: req.thinking } : {}),
  };
  return {
    model: req.model,
    prompt: req.prompt,
    ...(req.images.length === 1 ? { image: req.images[0] } : req.images.length > 1 ? { image: req.images } : {}),
    ...(req.size ? { size: req.size } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
    ...(req.watermark !== undefined ? { watermark: req.watermark } : {}),
    ...(group ? { sequential_image_generation: "auto", sequential_image_generation_options: { max_images: req.max_images } } : {}),
    ...(Object.keys(optimize).length ? { optimize_prompt_options: optimize } : {}),
    ...(req.output_format ? { output_format: req.output_format } : {}),
    response_format: "url",
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
    // Ark bills the images it generated: usage counting one means a billed image came in a form not read here.
    const billed = (res.usage?.generated_images ?? 0) > 0;
    return {
      status: "failed",
      model: res.model,
      ...(billed ? { billed: true as const } : {}),
      error: {
        code: first.split(":")[0]!,
        message: failures.join("; ") || res.error?.message || `${ARK} returned no image`,
        ...(res.answerRequestId ? { request_id: res.answerRequestId } : {}),
      },
    };
  }
  const usage = seedreamUsage(res);
  return {
    status: "succeeded",
    model: res.model,
    outputs,
    ...(usage ? { usage } : {}),
    ...(failures.length ? { detail: `${failures.length} image(s) were not generated: ${failures.join("; ")}` } : {}),
  };
}
