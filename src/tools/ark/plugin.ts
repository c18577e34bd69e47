/** Volcengine Ark: Seedream images and Seedance video. */
import { ArkClient } from "../../vendors/ark/client.js";
import { ARK_ENV, parseArkConfig, VENDOR_ID } from "../../vendors/ark/config.js";
import { seedanceDriver } from "../../vendors/ark/seedance.js";
import type { VendorPlugin } from "../plugin.js";
import { seedanceGenerateVideo } from "./seedance-generate-video.js";
import { seedreamGenerateImage } from "./seedream-generate-image.js";

const TITLE = "Volcengine Ark (Seedream, Seedance)";

export const arkPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  env: ARK_ENV,
  secrets: (env) => [env.ARK_API_KEY],
  load(env, core) {
    const cfg = parseArkConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new ArkClient(cfg, core.vendorTimeoutMs);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: [seedanceDriver(client)],
      tools: [seedreamGenerateImage(client, cfg, core), seedanceGenerateVideo(client, cfg, core)],
      async check(signal) {
        const { total } = await client.listVideoTasks({ page_size: 1 }, signal);
        return `key accepted by ${cfg.baseUrl} (${total} video task(s) visible; listing tasks is free)`;
      },
    });
  },
  simulate: async (opts) => (await import("../../vendors/ark/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "seedream_generate_image",
      note: "text-to-image, waits for the result",
      arguments: { prompt: "a red panda reading a map, watercolour", size: "2048x2048" },
    },
    {
      tool: "seedance_generate_video",
      note: "a video that outlives its 3 s wait budget: the result is a job handle, resumed later from another session",
      arguments: { prompt: "the red panda walks through a bamboo forest", duration: 5, return_last_frame: true, wait_seconds: 3 },
    },
  ],
};
