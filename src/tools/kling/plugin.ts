/** Kling AI (可灵): video, image, omni and element tools on the shared job engine, on both Kling API standards. */
import { Catalog } from "../../vendors/kit/catalog.js";
import { priceBook, withModelsFile } from "../../vendors/kit/models-file.js";
import { catalogPrices } from "../../vendors/kit/price.js";
import { DEFAULT_MODELS, KLING_MODELS } from "../../vendors/kling/catalog.js";
import { KlingClient } from "../../vendors/kling/client.js";
import { KLING_ENV, parseKlingConfig, VENDOR_ID } from "../../vendors/kling/config.js";
import { VIDEO_ROUTES } from "../../vendors/kling/families.js";
import { klingDrivers } from "../../vendors/kling/tasks.js";
import type { ModelTool, VendorPlugin } from "../plugin.js";
import { ELEMENT_PRICE, klingElementTools } from "./elements.js";
import { klingGenerateImage } from "./generate-image.js";
import { klingImageToVideo } from "./image-to-video.js";
import { klingMultiImageToImage } from "./multi-image-to-image.js";
import { klingMultiImageToVideo } from "./multi-image-to-video.js";
import { klingOmniImage } from "./omni-image.js";
import { klingOmniVideo, OMNI_VIDEO_FAMILY } from "./omni-video.js";
import { klingTextToVideo } from "./text-to-video.js";
import { KLING } from "../../vendors/kling/errors.js";
import { taskCallbacks } from "../../net/task-callbacks.js";

const TITLE = "Kling AI (可灵)";
const IMAGE_URL = "https://example.com/a.png";
/** The first current model the catalog lists for the new standard's text-to-video (the demo shows that standard). */
const NEW_STANDARD_MODEL = KLING_MODELS.find((m) => m.status === "active" && m.endpoints.includes(VIDEO_ROUTES.t2v.product))?.id;

export const klingPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  name: KLING,
  env: KLING_ENV,
  enableWith: "KLING_API_KEY (or KLING_ACCESS_KEY and KLING_SECRET_KEY)",
  secrets: (env) => [env.KLING_API_KEY, env.KLING_ACCESS_KEY, env.KLING_SECRET_KEY],
  priceEndpoints: [...new Set(KLING_MODELS.flatMap((m) => m.endpoints)), ELEMENT_PRICE.endpoint],
  load(env, core, models) {
    const cfg = parseKlingConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const catalog = withModelsFile(new Catalog(VENDOR_ID, KLING_MODELS), models);
    const client = new KlingClient(cfg, { timeoutMs: core.vendorTimeoutMs }, taskCallbacks(core)?.url(VENDOR_ID));
    // List prices from the catalog (prices.ts) behind AIGC_MCP_PRICES_FILE's; the currency the account is billed in.
    const prices = { book: priceBook(VENDOR_ID, catalogPrices(catalog), models), currency: cfg.billingCurrency };
    const { t2v, i2v } = VIDEO_ROUTES;
    const t2vSample = { prompt: "a paper boat drifting down a rainy street" };
    const i2vSample = { image: IMAGE_URL, prompt: "the boat drifts away" };
    // Text- and image-to-video route by model to one of Kling's two API standards, so list_models
    // shows each of them twice; the notes say why.
    const legacy = {
      note: "Kling's legacy API standard (AK/SK or KLING_API_KEY): the tool sends every model here except those listed only for the new standard",
    };
    const newStandard = {
      note: "Kling's new API standard (model in the URL path, KLING_API_KEY only): the tool sends these models here when you name one; no default",
    };
    const modelTools: ModelTool[] = [
      {
        tool: "kling_text_to_video",
        endpoint: t2v.family,
        default: cfg.videoModel,
        variable: "KLING_VIDEO_MODEL",
        sample: t2vSample,
        ...legacy,
      },
      { tool: "kling_text_to_video", endpoint: t2v.product, sample: t2vSample, ...newStandard },
      {
        tool: "kling_image_to_video",
        endpoint: i2v.family,
        default: cfg.videoModel,
        variable: "KLING_VIDEO_MODEL",
        sample: i2vSample,
        ...legacy,
      },
      { tool: "kling_image_to_video", endpoint: i2v.product, sample: i2vSample, ...newStandard },
      {
        tool: "kling_multi_image_to_video",
        endpoint: OMNI_VIDEO_FAMILY,
        default: DEFAULT_MODELS.omniVideo,
        sample: { images: [IMAGE_URL], prompt: "<<<image_1>>> walks on a beach" },
      },
      {
        tool: "kling_omni_video",
        endpoint: OMNI_VIDEO_FAMILY,
        default: DEFAULT_MODELS.omniVideo,
        sample: { prompt: "a lighthouse at dusk", aspect_ratio: "16:9" },
      },
      {
        tool: "kling_generate_image",
        endpoint: "images/generations",
        default: cfg.imageModel,
        variable: "KLING_IMAGE_MODEL",
        sample: { prompt: "a red bicycle" },
      },
      {
        tool: "kling_multi_image_to_image",
        endpoint: "images/multi-image2image",
        default: DEFAULT_MODELS.multiImageToImage,
        sample: { subject_images: [IMAGE_URL] },
      },
      { tool: "kling_omni_image", endpoint: "images/omni-image", default: DEFAULT_MODELS.omniImage, sample: { prompt: "a red bicycle" } },
    ];
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: klingDrivers(client, cfg.billingCurrency),
      tools: [
        klingTextToVideo(client, catalog, cfg, core, prices),
        klingImageToVideo(client, catalog, cfg, core, prices),
        klingMultiImageToVideo(client, catalog, core, prices),
        klingOmniVideo(client, catalog, core, prices),
        klingGenerateImage(client, catalog, cfg, core, prices),
        klingMultiImageToImage(client, catalog, core, prices),
        klingOmniImage(client, catalog, core, prices),
        ...klingElementTools(client, core, prices),
      ],
      models: { catalog, tools: modelTools },
      prices: prices.book,
      async check(signal) {
        if (cfg.apiKey) {
          await client.listNewTasks(1, signal);
          const tasks = await client.listTasks("videos/text2video", { pageNum: 1, pageSize: 1 }, signal);
          return `API key accepted by ${cfg.baseUrl} on both API standards (${tasks.length ? "text-to-video tasks visible" : "no text-to-video tasks yet"}; listing tasks is free and creates nothing)`;
        }
        const tasks = await client.listTasks("videos/text2video", { pageNum: 1, pageSize: 1 }, signal);
        return `keys accepted by ${cfg.baseUrl} on the legacy endpoints (${tasks.length ? "text-to-video tasks visible" : "no text-to-video tasks yet"}; listing tasks is free and creates nothing); Kling 3.0 Turbo needs KLING_API_KEY`;
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
    {
      tool: "kling_text_to_video",
      note: `${NEW_STANDARD_MODEL} on Kling's new API standard (API key), 720p, 4 s`,
      arguments: { prompt: "a lighthouse at dusk, waves breaking", model: NEW_STANDARD_MODEL, duration: 4, wait_seconds: 30 },
    },
  ],
};
