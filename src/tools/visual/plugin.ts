/** Volcengine Visual: Jimeng (即梦) images, video, portraits, and a raw passthrough. */
import { SUCCESS, VisualClient } from "../../vendors/visual/client.js";
import { serviceError } from "../../vendors/visual/errors.js";
import { parseVisualConfig, VENDOR_ID, VISUAL_ENV } from "../../vendors/visual/config.js";
import { visualDrivers } from "../../vendors/visual/tasks.js";
import type { VendorPlugin } from "../plugin.js";
import { jimengGenerateImage } from "./jimeng-generate-image.js";
import { jimengGenerateVideo } from "./jimeng-generate-video.js";
import { jimengPortraitPhoto } from "./jimeng-portrait-photo.js";
import { volcVisualCall } from "./volc-visual-call.js";

const TITLE = "Volcengine Visual (Jimeng)";

export const visualPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  env: VISUAL_ENV,
  enableWith: "VOLC_ACCESSKEY and VOLC_SECRETKEY",
  secrets: (env) => [env.VOLC_ACCESSKEY, env.VOLC_SECRETKEY, env.VOLC_SESSION_TOKEN],
  load(env, core) {
    const cfg = parseVisualConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new VisualClient(cfg, core.vendorTimeoutMs);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: visualDrivers(client),
      tools: [
        jimengGenerateImage(client, core),
        jimengGenerateVideo(client, core),
        jimengPortraitPhoto(client, cfg, core),
        volcVisualCall(client, core),
      ],
      async check(signal) {
        // Looking up a task that does not exist passes the gateway's signature and permission checks and creates nothing.
        const env = await client.getResult("jimeng_t2i_v40", "0", undefined, signal);
        if (env.code !== SUCCESS) throw serviceError(env);
        return `keys accepted by ${cfg.baseUrl} (signed lookup of a non-existent task answered "${env.data?.status ?? "ok"}"; nothing was created or billed)`;
      },
    });
  },
  simulate: async (opts) => (await import("../../vendors/visual/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "jimeng_generate_image",
      note: "Volcengine Visual, Jimeng 4.0, signed AK/SK requests",
      arguments: {
        prompt: "a red panda on a misty mountain, ink painting",
        width: 2560,
        height: 1440,
        logo: { add: true, language: "en" },
      },
    },
  ],
};
