/** Animo: prompt-to-video, either the plugin's synchronous MP4 endpoint or the animo.video async API. */
import { AigcError } from "../../errors.js";
import { safeUrl } from "../../net/http.js";
import { AnimoClient } from "../../vendors/animo/client.js";
import { ANIMO_ENV, parseAnimoConfig, VENDOR_ID } from "../../vendors/animo/config.js";
import { animoDriver } from "../../vendors/animo/video.js";
import type { VendorPlugin } from "../plugin.js";
import { animoGenerateVideo } from "./generate-video.js";

const TITLE = "Animo (prompt-to-video)";

export const animoPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  env: ANIMO_ENV,
  enableWith: "ANIMO_API_KEY and ANIMO_ENDPOINT",
  secrets: (env) => [env.ANIMO_API_KEY],
  load(env, core) {
    const cfg = parseAnimoConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new AnimoClient(cfg, core.maxMediaBytes);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
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
    });
  },
  simulate: async (opts) => (await import("../../vendors/animo/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "animo_generate_video",
      note: "the MP4 arrives as the response body and is streamed to disk",
      arguments: { prompt: "a paper crane unfolds into a bird", duration: 4, style: "anime", wait_seconds: 30 },
    },
  ],
};
