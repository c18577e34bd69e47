/** Volcengine Ark: Seedream images and Seedance video. */
import { ArkClient } from "../../vendors/ark/client.js";
import { ARK_ENV, parseArkConfig } from "../../vendors/ark/config.js";
import { seedanceDriver } from "../../vendors/ark/seedance.js";
import type { VendorModule } from "../vendor-module.js";
import { seedanceGenerateVideo } from "./seedance-generate-video.js";
import { seedreamGenerateImage } from "./seedream-generate-image.js";

export const arkModule: VendorModule = {
  id: "ark",
  title: "Volcengine Ark (Seedream, Seedance)",
  env: ARK_ENV,
  secrets: (env) => [env.ARK_API_KEY],
  load(env, core) {
    const cfg = parseArkConfig(env);
    if (!cfg) return undefined;
    const client = new ArkClient(cfg, core.vendorTimeoutMs);
    return {
      id: "ark",
      title: this.title,
      drivers: [seedanceDriver(client)],
      tools: [seedreamGenerateImage(client, cfg, core), seedanceGenerateVideo(client, cfg, core)],
      async check(signal) {
        const { total } = await client.listVideoTasks({ page_size: 1 }, signal);
        return `key accepted by ${cfg.baseUrl} (${total} video task(s) visible; listing tasks is free)`;
      },
    };
  },
};
