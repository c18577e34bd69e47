/** jimeng_portrait_photo: a model argument next to VOLC_PORTRAIT_REQ_KEY; its documented options advise. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = { status: string; model?: string; warnings?: string[] };
const PHOTO = "https://example.com/me.jpg";

describe("jimeng_portrait_photo", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness({ visual: { extraModels: { i2i_portrait_photo_v2: { actions: ["async"], output: "image", images: [1, 1] } } } });
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastSubmit = () =>
    v.sim.requests.filter((r) => r.query.get("Action") === "CVSync2AsyncSubmitTask").at(-1)!.json as Record<string, unknown>;

  it("sends gen_mode creative without a prompt (the vendor decides) and advises on values its page does not list", async () => {
    const r = await h.call("jimeng_portrait_photo", { image: PHOTO, gen_mode: "creative" });
    expect(structured<Job>(r)).toMatchObject({ status: "succeeded", model: "i2i_portrait_photo" });
    expect(structured<Job>(r).warnings).toBeUndefined();
    expect(lastSubmit()).toEqual({ req_key: "i2i_portrait_photo", image_input: PHOTO, gen_mode: "creative" });
    const odd = await h.call("jimeng_portrait_photo", { image: PHOTO, gen_mode: "cartoon", width: 3000, height: 1000 });
    expect(structured<Job>(odd).warnings).toEqual([
      'Portrait photo (图生图3.0 人像写真) (i2i_portrait_photo) takes gen_mode creative, reference, reference_char; got "cartoon"',
      "Portrait photo (图生图3.0 人像写真) (i2i_portrait_photo) takes width 512-2048; got 3000",
    ]);
    expect(lastSubmit()).toMatchObject({ gen_mode: "cartoon", width: 3000, height: 1000 });
  });

  it("model overrides VOLC_PORTRAIT_REQ_KEY per call; the variable sets the default", async () => {
    const r = await h.call("jimeng_portrait_photo", { image: PHOTO, model: "i2i_portrait_photo_v2", prompt: "in a garden" });
    expect(structured<Job>(r)).toMatchObject({ status: "succeeded", model: "i2i_portrait_photo_v2" });
    expect(lastSubmit().req_key).toBe("i2i_portrait_photo_v2");
    const other = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { VOLC_PORTRAIT_REQ_KEY: "i2i_portrait_photo_v2" },
    });
    try {
      expect(structured<Job>(await other.call("jimeng_portrait_photo", { image: PHOTO })).model).toBe("i2i_portrait_photo_v2");
      const tool = (await other.client.listTools()).tools.find((t) => t.name === "jimeng_portrait_photo")!;
      expect(tool.description).toMatch(/Default req_key i2i_portrait_photo_v2 \(VOLC_PORTRAIT_REQ_KEY\)/);
      expect(text(await other.call("list_models", { tool: "jimeng_portrait_photo" }))).toMatch(
        /jimeng_portrait_photo: default i2i_portrait_photo_v2 \(set VOLC_PORTRAIT_REQ_KEY to change\)/,
      );
    } finally {
      await other.close();
    }
  });
});
