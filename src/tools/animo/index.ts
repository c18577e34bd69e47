/** Animo: prompt-to-video, either the plugin's synchronous MP4 endpoint or the animo.video async API. */
import { AigcError } from "../../errors.js";
import { safeUrl } from "../../net/http.js";
import { AnimoClient } from "../../vendors/animo/client.js";
import { ANIMO_ENV, parseAnimoConfig } from "../../vendors/animo/config.js";
import { animoDriver } from "../../vendors/animo/video.js";
import type { VendorModule } from "../vendor-module.js";
import { animoGenerateVideo } from "./generate-video.js";

export const animoModule: VendorModule = {
  id: "animo",
  title: "Animo (prompt-to-video)",
  env: ANIMO_ENV,
  enableWith: "ANIMO_API_KEY and ANIMO_ENDPOINT",
  secrets: (env) => [env.ANIMO_API_KEY],
  load(env, core) {
    const cfg = parseAnimoConfig(env);
    if (!cfg) return undefined;
    const client = new AnimoClient(cfg, core.maxMediaBytes);
    return {
      id: "animo",
      title: this.title,
      // Registered in both modes so an async job id always finds its driver (which refuses other endpoints).
      drivers: [animoDriver(client, cfg)],
      tools: [animoGenerateVideo(client, cfg, core)],
      async check(signal) {
        if (cfg.mode === "sync") {
          // The only call a sync endpoint is known to answer is the billable generation POST.
          return `sync mode, POST ${safeUrl(cfg.endpoint)}; not contacted (the endpoint has no free call), so the key is first checked by a generation`;
        }
        try {
          await client.status("aigc-mcp-check", signal);
        } catch (err) {
          if (err instanceof AigcError && err.category === "not_found" && err.info.httpStatus === 404) {
            return `key accepted by ${safeUrl(cfg.endpoint)} (async mode; looked up a request id that does not exist, which is free)`;
          }
          throw err;
        }
        return `key accepted by ${safeUrl(cfg.endpoint)} (async mode)`;
      },
    };
  },
};
