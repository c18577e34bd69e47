/** jimeng_portrait_photo: a model argument next to VOLC_PORTRAIT_REQ_KEY; its documented options advise. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";
import { isAction } from "./helpers.js";

const PHOTO = "https://example.com/me.jpg";

describe("jimeng_portrait_photo", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness({ visual: { extraModels: { i2i_portrait_photo_v2: { actions: ["async"], output: "image", images: [1, 1] } } } });
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastSubmit = () => lastRequest(v, (r) => r.query.get("Action") === "CVSync2AsyncSubmitTask").json as Record<string, unknown>;

  it("sends gen_mode creative without a prompt (the vendor decides) and advises on values its page does not list", async () => {
    const r = await h.call("jimeng_portrait_photo", { image: PHOTO, gen_mode: "creative" });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "i2i_portrait_photo" });
    expect(jobOf(r).warnings).toBeUndefined();
    expect(lastSubmit()).toEqual({ req_key: "i2i_portrait_photo", image_input: PHOTO, gen_mode: "creative" });
    const odd = await h.call("jimeng_portrait_photo", { image: PHOTO, gen_mode: "cartoon", width: 3000, height: 1000 });
    expect(jobOf(odd).warnings).toEqual([
      'Portrait photo (图生图3.0 人像写真) (i2i_portrait_photo) takes gen_mode creative, reference, reference_char; got "cartoon"',
      "Portrait photo (图生图3.0 人像写真) (i2i_portrait_photo) takes width 512-2048; got 3000",
    ]);
    expect(lastSubmit()).toMatchObject({ gen_mode: "cartoon", width: 3000, height: 1000 });
  });

  it("model overrides VOLC_PORTRAIT_REQ_KEY per call; the variable sets the default", async () => {
    const r = await h.call("jimeng_portrait_photo", { image: PHOTO, model: "i2i_portrait_photo_v2", prompt: "in a garden" });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "i2i_portrait_photo_v2" });
    expect(lastSubmit().req_key).toBe("i2i_portrait_photo_v2");
    const other = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { VOLC_PORTRAIT_REQ_KEY: "i2i_portrait_photo_v2" },
    });
    try {
      expect(jobOf(await other.call("jimeng_portrait_photo", { image: PHOTO })).model).toBe("i2i_portrait_photo_v2");
      expect(text(await other.call("list_models", { tool: "jimeng_portrait_photo" }))).toMatch(
        /jimeng_portrait_photo: default i2i_portrait_photo_v2 \(set VOLC_PORTRAIT_REQ_KEY to change\)/,
      );
    } finally {
      await other.close();
    }
  });
});

describe("jimeng_portrait_photo (tool behaviour)", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => lastRequest(v, isAction(action)).json as Record<string, unknown>;

  it("jimeng_portrait_photo sends the photo, the beauty controls and gen_mode under the configured req_key", async () => {
    const r = await h.call("jimeng_portrait_photo", {
      image: "https://example.com/me.jpg",
      prompt: "in a garden",
      gen_mode: "creative",
      gpen: 0.5,
      skin: 0.2,
      skin_unifi: 0.3,
      width: 1024,
      height: 1328,
      logo: { add: true },
    });
    expect(jobOf(r).status).toBe("succeeded");
    expect(lastBody("CVSync2AsyncSubmitTask")).toEqual({
      req_key: "i2i_portrait_photo",
      image_input: "https://example.com/me.jpg",
      prompt: "in a garden",
      width: 1024,
      height: 1328,
      gpen: 0.5,
      skin: 0.2,
      skin_unifi: 0.3,
      gen_mode: "creative",
    });
    expect(JSON.parse(lastBody("CVSync2AsyncGetResult").req_json as string)).toMatchObject({
      return_url: true,
      logo_info: { add_logo: true },
    });
    const before = mark(v);
    const noPrompt = await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gen_mode: "creative" });
    expect(jobOf(noPrompt).status, "creative without a prompt is the vendor's call now").toBe("succeeded");
    expect(before.since().length).toBeGreaterThan(0);
    expect((await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gpen: 2 })).isError).toBe(true);
  });

  it("VOLC_PORTRAIT_REQ_KEY changes the req_key sent", async () => {
    const other = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: { VOLC_PORTRAIT_REQ_KEY: "jimeng_t2i_v46" } });
    try {
      const r = await other.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", prompt: "x" });
      expect(jobOf(r).status).toBe("succeeded");
      expect(lastBody("CVSync2AsyncSubmitTask").req_key).toBe("jimeng_t2i_v46");
    } finally {
      await other.close();
    }
  });
});
