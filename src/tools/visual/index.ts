/** Volcengine Visual: Jimeng (即梦) images, video, portraits, and a raw passthrough. */
import { SUCCESS, serviceError, VisualClient } from "../../vendors/volc-visual/client.js";
import { parseVisualConfig, VISUAL_ENV } from "../../vendors/volc-visual/config.js";
import { visualDrivers } from "../../vendors/volc-visual/tasks.js";
import type { VendorModule } from "../vendor-module.js";
import { jimengGenerateImage } from "./jimeng-generate-image.js";
import { jimengGenerateVideo } from "./jimeng-generate-video.js";
import { jimengPortraitPhoto } from "./jimeng-portrait-photo.js";
import { volcVisualCall } from "./volc-visual-call.js";

export const visualModule: VendorModule = {
  id: "visual",
  title: "Volcengine Visual (Jimeng)",
  env: VISUAL_ENV,
  enableWith: "VOLC_ACCESSKEY and VOLC_SECRETKEY",
  secrets: (env) => [env.VOLC_ACCESSKEY, env.VOLC_SECRETKEY, env.VOLC_SESSION_TOKEN],
  load(env, core) {
    const cfg = parseVisualConfig(env);
    if (!cfg) return undefined;
    const client = new VisualClient(cfg, core.vendorTimeoutMs);
    return {
      id: "visual",
      title: this.title,
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
    };
  },
};
