/**
 * What an Animo video costs (issue 14). Animo publishes no price (no public price was found for
 * animo.video, read 2026-11-30), and the async API's server runs an LLM engine the operator
 * chooses, so the cost is the operator's: every estimate is unknown unless AIGC_MCP_PRICES_FILE
 * (or a models file) gives one, per video (`unit: "item"`) or per second of video (`"second"`).
 * Neither mode reports usage (sync answers with the MP4 itself, async with a videoUrl), so there is
 * no actual cost. No MCP types here.
 */
import type { Meter, PriceUnit } from "../kit/price.js";
import type { AnimoMode } from "./config.js";
import { DEFAULT_DURATION, DEFAULT_RESOLUTION } from "./video.js";

export type Metering = { meters: Meter[] } | { unknown: string };

/**
 * The meters of one call in the price's unit: one video (`item`), or its seconds (`second`: the
 * sync endpoint's `duration`, default 10 s as its contract documents). The async API takes no
 * duration (its server decides the length), so a per-second price cannot price it.
 */
export function animoMeters(req: { duration?: number; resolution?: string }, mode: AnimoMode, unit: PriceUnit): Metering {
  const dims = mode === "sync" ? { resolution: req.resolution ?? DEFAULT_RESOLUTION } : undefined;
  if (unit === "item") return { meters: [{ quantity: 1, ...(dims ? { dims } : {}) }] };
  if (unit !== "second") return { unknown: `an Animo video cannot be priced per ${unit}; use item (per video) or second` };
  if (mode === "async")
    return {
      unknown:
        "the asynchronous Animo API takes no duration (its server decides the length), so a per-second price cannot be applied before the call; give a per-video price (unit item) in AIGC_MCP_PRICES_FILE",
    };
  const seconds = req.duration ?? DEFAULT_DURATION;
  return { meters: [{ quantity: seconds, dims: dims!, how: `${seconds} s${req.duration === undefined ? " (default duration)" : ""}` }] };
}
