/** Jimeng routing from the catalog: which req_key is sent, which action family calls it, and which endpoint family the inputs pick. */
import { describe, expect, it } from "vitest";
import { Catalog } from "../../src/vendors/kit/catalog.js";
import { withModelsFile } from "../../src/vendors/kit/models-file.js";
import { ENDPOINTS, MODELS } from "../../src/vendors/visual/catalog.js";
import { reqKeyFor, routeFor, videoBody, videoEndpoint } from "../../src/vendors/visual/requests.js";

const catalog = new Catalog("visual", MODELS);

describe("Jimeng routing (catalog facts)", () => {
  it("sends the documented 1080P image-to-video keys for the old _1080p spellings, and any other key as given", () => {
    expect(reqKeyFor(catalog, "jimeng_i2v_first_v30_1080p")).toBe("jimeng_i2v_first_v30_1080");
    expect(reqKeyFor(catalog, "jimeng_i2v_first_tail_v30_1080p")).toBe("jimeng_i2v_first_tail_v30_1080");
    expect(reqKeyFor(catalog, "jimeng_t2v_v30_1080p"), "text-to-video really ends in _1080p").toBe("jimeng_t2v_v30_1080p");
    expect(reqKeyFor(catalog, "jimeng_t2i_v46")).toBe("jimeng_t2i_v46");
    expect(reqKeyFor(catalog, "jimeng_seedream46_cvtob")).toBe("jimeng_seedream46_cvtob");
    expect(reqKeyFor(catalog, "some_future_key")).toBe("some_future_key");
  });

  it("routes by the catalog's mode: CVProcess, CVSubmitTask or the documented default (async) for unknown keys", () => {
    expect(routeFor(catalog, "jimeng_t2i_v40")).toBe("async");
    expect(routeFor(catalog, "jimeng_high_aes_general_v21_L")).toBe("sync");
    expect(routeFor(catalog, "jimeng_realman_avatar_object_detection")).toBe("sync");
    expect(routeFor(catalog, "jimeng_realman_avatar_picture_create_role_omni_v15")).toBe("submit_task");
    expect(routeFor(catalog, "jimeng_realman_avatar_picture_omni_v15")).toBe("submit_task");
    expect(routeFor(catalog, "i2i_portrait_photo")).toBe("async");
    expect(routeFor(catalog, "some_future_key")).toBe("async");
    const file = withModelsFile(catalog, {
      source: { url: "file:///models.json", date: "2026-11-30" },
      models: {
        visual: [{ id: "some_future_key", label: "Future", endpoints: [ENDPOINTS.raw], capabilities: { mode: ["submit_task"] } }],
      },
    });
    expect(routeFor(file, "some_future_key"), "a models-file entry routes without a code change").toBe("submit_task");
  });

  it("picks the video endpoint family from the inputs and refuses only what no key can take", () => {
    const base = { prompt: "x", hasFirst: false, hasLast: false };
    expect(videoEndpoint(base)).toBe(ENDPOINTS.t2v);
    expect(videoEndpoint({ ...base, hasFirst: true })).toBe(ENDPOINTS.i2vFirst);
    expect(videoEndpoint({ ...base, hasFirst: true, hasLast: true })).toBe(ENDPOINTS.i2vFirstTail);
    expect(videoEndpoint({ ...base, hasFirst: true, template_id: "robo_arm" })).toBe(ENDPOINTS.i2vRecamera);
    expect(videoEndpoint({ hasFirst: true, hasLast: false }), "a first frame needs no prompt on 3.0 Pro").toBe(ENDPOINTS.i2vFirst);
    expect(() => videoEndpoint({ ...base, hasLast: true })).toThrow(/last_frame: needs first_frame/);
    expect(() => videoEndpoint({ hasFirst: false, hasLast: false })).toThrow(/prompt: text-to-video needs a prompt/);
  });

  it("sends duration as 24 x seconds + 1 frames for any duration (the vendor judges the value)", () => {
    const body = (duration?: number) => videoBody({ reqKey: "k", prompt: "x", hasFirst: false, hasLast: false, duration }, {});
    expect(body().frames).toBe(121);
    expect(body(10).frames).toBe(241);
    expect(body(8).frames).toBe(193);
    expect(body()).not.toHaveProperty("aspect_ratio");
  });
});
