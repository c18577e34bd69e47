/** Kling AI (可灵): video, image, omni and element tools on the shared job engine. */
import { KlingClient } from "../../vendors/kling/client.js";
import { KLING_ENV, parseKlingConfig, VENDOR_ID } from "../../vendors/kling/config.js";
import { klingDrivers } from "../../vendors/kling/tasks.js";
import type { VendorPlugin } from "../plugin.js";
import { klingElementTools } from "./elements.js";
import { klingGenerateImage } from "./generate-image.js";
import { klingImageToVideo } from "./image-to-video.js";
import { klingMultiImageToImage } from "./multi-image-to-image.js";
import { klingMultiImageToVideo } from "./multi-image-to-video.js";
import { klingOmniImage } from "./omni-image.js";
import { klingOmniVideo } from "./omni-video.js";
import { klingTextToVideo } from "./text-to-video.js";

const TITLE = "Kling AI (可灵)";

export const klingPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  env: KLING_ENV,
  secrets: (env) => [env.KLING_ACCESS_KEY, env.KLING_SECRET_KEY],
  load(env, core) {
    const cfg = parseKlingConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new KlingClient(cfg, { timeoutMs: core.vendorTimeoutMs });
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: klingDrivers(client),
      tools: [
        klingTextToVideo(client, cfg, core),
        klingImageToVideo(client, cfg, core),
        klingMultiImageToVideo(client, core),
        klingOmniVideo(client, core),
        klingGenerateImage(client, cfg, core),
        klingMultiImageToImage(client, core),
        klingOmniImage(client, core),
        ...klingElementTools(client),
      ],
      async check(signal) {
        const tasks = await client.listTasks("videos/text2video", { pageNum: 1, pageSize: 1 }, signal);
        return `keys accepted by ${cfg.baseUrl} (${tasks.length ? "text-to-video tasks visible" : "no text-to-video tasks yet"}; listing tasks is free and creates nothing)`;
      },
    });
  },
  simulate: async (opts) => (await import("../../vendors/kling/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "kling_text_to_video",
      note: "Kling AI text-to-video, waits for the MP4",
      arguments: { prompt: "a paper boat drifting down a rainy street", duration: 5, wait_seconds: 30 },
    },
  ],
};
