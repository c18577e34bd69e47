/** Volcengine Ark: Seedream images and Seedance video. */
import { DEFAULT_MODELS, ENDPOINTS, MODELS } from "../../vendors/ark/catalog.js";
import { ArkClient } from "../../vendors/ark/client.js";
import { ARK_ENV, parseArkConfig, VENDOR_ID } from "../../vendors/ark/config.js";
import { seedanceDriver } from "../../vendors/ark/seedance.js";
import { Catalog } from "../../vendors/kit/catalog.js";
import { priceBook, withModelsFile } from "../../vendors/kit/models-file.js";
import { catalogPrices } from "../../vendors/kit/price.js";
import type { VendorPlugin } from "../plugin.js";
import { seedanceGenerateVideo } from "./seedance-generate-video.js";
import { seedreamGenerateImage } from "./seedream-generate-image.js";
import { ARK } from "../../vendors/ark/errors.js";
import { taskCallbacks } from "../../net/task-callbacks.js";

const TITLE = "Volcengine Ark (Seedream, Seedance)";

export const arkPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  name: ARK,
  env: ARK_ENV,
  secrets: (env) => [env.ARK_API_KEY],
  priceEndpoints: Object.values(ENDPOINTS),
  load(env, core, models) {
    const cfg = parseArkConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const catalog = withModelsFile(new Catalog(VENDOR_ID, MODELS), models);
    const client = new ArkClient(cfg, core.vendorTimeoutMs, taskCallbacks(core)?.url(VENDOR_ID));
    const prices = priceBook(VENDOR_ID, catalogPrices(catalog), models);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: [seedanceDriver(client)],
      prices,
      tools: [seedreamGenerateImage(client, cfg, core, catalog, prices), seedanceGenerateVideo(client, cfg, core, catalog, prices)],
      async check(signal) {
        const { total } = await client.listVideoTasks({ page_size: 1 }, signal);
        return `key accepted by ${cfg.baseUrl} (${total} video task(s) visible; listing tasks is free)`;
      },
      models: {
        catalog,
        tools: [
          {
            tool: "seedream_generate_image",
            endpoint: ENDPOINTS.image,
            default: cfg.imageModel,
            variable: "ARK_IMAGE_MODEL",
            sample: { prompt: "a red kite over a grey sea" },
          },
          {
            tool: "seedance_generate_video",
            endpoint: ENDPOINTS.video,
            default: cfg.videoModel,
            variable: "ARK_VIDEO_MODEL",
            sample: { prompt: "waves rolling onto a beach at dusk" },
            alternatives: [{ prompt: "the kite drifts away", first_frame: "https://example.com/kite.png" }],
          },
        ],
        live: (signal) => client.listModels(signal),
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
      tool: "seedream_generate_image",
      note: `an image group: without a model it goes to the group default (${DEFAULT_MODELS.imageGroup} unless ARK_IMAGE_MODEL is set)`,
      arguments: { prompt: "the red panda's journey in four scenes", max_images: 4 },
    },
    {
      tool: "seedance_generate_video",
      note: "a video that outlives its 3 s wait budget: the result is a job handle, resumed later from another session",
      arguments: { prompt: "the red panda walks through a bamboo forest", duration: 5, return_last_frame: true, wait_seconds: 3 },
    },
  ],
};
