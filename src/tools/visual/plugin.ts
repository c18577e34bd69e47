/** Volcengine Visual: Jimeng (即梦) images, video, portraits, and a raw passthrough. */
import { Catalog } from "../../vendors/kit/catalog.js";
import { priceBook, withModelsFile } from "../../vendors/kit/models-file.js";
import { catalogPrices } from "../../vendors/kit/price.js";
import { DEFAULT_BY_ENDPOINT, DEFAULT_MODELS, ENDPOINTS, MODELS } from "../../vendors/visual/catalog.js";
import { SUCCESS, VisualClient } from "../../vendors/visual/client.js";
import { serviceError, VISUAL } from "../../vendors/visual/errors.js";
import { parseVisualConfig, VENDOR_ID, VISUAL_ENV } from "../../vendors/visual/config.js";
import { visualDrivers } from "../../vendors/visual/tasks.js";
import type { ModelTool, VendorPlugin } from "../plugin.js";
import { jimengGenerateImage } from "./jimeng-generate-image.js";
import { jimengGenerateVideo } from "./jimeng-generate-video.js";
import { jimengPortraitPhoto } from "./jimeng-portrait-photo.js";
import { volcVisualCall } from "./volc-visual-call.js";

const TITLE = "Volcengine Visual (Jimeng)";
const IMAGE_URL = "https://example.com/a.png";

/**
 * The tools that take a model, one entry per endpoint family a tool reaches (its inputs pick the
 * family), each with the smallest valid arguments for that family. volc_visual_call takes a raw
 * req_key instead: it is a listing only (VendorModels.listings).
 */
function modelTools(portraitDefault: string): ModelTool[] {
  const entry = (tool: string, endpoint: string, sample: Record<string, unknown>): ModelTool => ({
    tool,
    endpoint,
    default: DEFAULT_BY_ENDPOINT[endpoint],
    sample,
  });
  const prompt = "a red panda on a misty mountain";
  return [
    entry("jimeng_generate_image", ENDPOINTS.t2i, { prompt }),
    entry("jimeng_generate_image", ENDPOINTS.i2i, { prompt, images: [IMAGE_URL] }),
    entry("jimeng_generate_video", ENDPOINTS.t2v, { prompt }),
    entry("jimeng_generate_video", ENDPOINTS.i2vFirst, { prompt, first_frame: IMAGE_URL }),
    entry("jimeng_generate_video", ENDPOINTS.i2vFirstTail, { prompt, first_frame: IMAGE_URL, last_frame: IMAGE_URL }),
    entry("jimeng_generate_video", ENDPOINTS.i2vRecamera, {
      prompt,
      first_frame: IMAGE_URL,
      template_id: "hitchcock_dolly_in",
      camera_strength: "medium",
    }),
    {
      ...entry("jimeng_portrait_photo", ENDPOINTS.portrait, { image: IMAGE_URL }),
      default: portraitDefault,
      variable: "VOLC_PORTRAIT_REQ_KEY",
    },
  ];
}

export const visualPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  name: VISUAL,
  env: VISUAL_ENV,
  enableWith: "VOLC_ACCESSKEY and VOLC_SECRETKEY",
  secrets: (env) => [env.VOLC_ACCESSKEY, env.VOLC_SECRETKEY, env.VOLC_SESSION_TOKEN],
  priceEndpoints: Object.values(ENDPOINTS),
  load(env, core, models) {
    const cfg = parseVisualConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const catalog = withModelsFile(new Catalog(VENDOR_ID, MODELS), models);
    const client = new VisualClient(cfg, core.vendorTimeoutMs);
    // No req_key has a published price (every one is unknown): only a models file or AIGC_MCP_PRICES_FILE gives one.
    const book = priceBook(VENDOR_ID, catalogPrices(catalog), models);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: visualDrivers(client),
      tools: [
        jimengGenerateImage(client, core, catalog, book),
        jimengGenerateVideo(client, core, catalog, book),
        jimengPortraitPhoto(client, cfg, core, catalog, book),
        volcVisualCall(client, core, catalog, book),
      ],
      models: {
        catalog,
        tools: modelTools(cfg.portraitReqKey),
        listings: [
          {
            tool: "volc_visual_call",
            endpoint: ENDPOINTS.raw,
            note: "takes its model as req_key, any Volcengine Visual req_key (passed on as given); below, the catalog's req_keys that only it calls, and every jimeng_* tool's req_key works too",
          },
        ],
      },
      async check(signal) {
        // Looking up a task that does not exist passes the gateway's signature and permission checks and creates nothing.
        const env = await client.getResult(DEFAULT_MODELS.image, "0", undefined, signal);
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
