/** jimeng_generate_image: the catalog routes each req_key; per-model rules that used to refuse are advice now. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = { status: string; model?: string; warnings?: string[]; assets: Array<{ mime_type: string }> };
const REF = "https://example.com/ref.png";

describe("jimeng_generate_image", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const last = () => v.sim.requests.filter((r) => /SubmitTask$|^CVProcess$/.test(r.query.get("Action") ?? "")).at(-1)!;

  it("routes each req_key the catalog's way: 2.1 through CVProcess, the others as async tasks", async () => {
    const sync = await h.call("jimeng_generate_image", {
      model: "jimeng_high_aes_general_v21_L",
      prompt: "a bell",
      width: 512,
      height: 512,
    });
    expect(structured<Job>(sync).status).toBe("succeeded");
    expect(last().query.get("Action")).toBe("CVProcess");
    expect(last().json).toMatchObject({ req_key: "jimeng_high_aes_general_v21_L", return_url: true });
    const task = await h.call("jimeng_generate_image", { prompt: "a bell" });
    expect(structured<Job>(task)).toMatchObject({ status: "succeeded", model: "jimeng_t2i_v40" });
    expect(last().query.get("Action")).toBe("CVSync2AsyncSubmitTask");
  });

  it("sends what the old per-model checks refused, with advice where the catalog documents otherwise", async () => {
    const wide = join(h.dir, "wide.png");
    writeFileSync(wide, makePng(400, 100, 3));
    const sent: Array<[Record<string, unknown>, Record<string, unknown>, string[] | undefined]> = [
      // Jimeng 4.0: width and height win over size (vendor-apis B.5), so both together are fine.
      [{ prompt: "x", size: 4194304, width: 2048, height: 2048 }, { size: 4194304, width: 2048, height: 2048 }, undefined],
      [{ prompt: "x", width: 2048 }, { width: 2048 }, undefined],
      [{ prompt: "x", min_ratio: 2, max_ratio: 1 }, { min_ratio: 2, max_ratio: 1 }, undefined],
      [{ prompt: "x", images: [wide] }, {}, undefined],
      [
        { prompt: "x", model: "jimeng_t2i_v30", use_pre_llm: false, force_single: true },
        { req_key: "jimeng_t2i_v30", force_single: true },
        ["Jimeng 3.0 text-to-image (jimeng_t2i_v30) does not take force_single"],
      ],
      [
        { prompt: "x", use_pre_llm: true },
        { use_pre_llm: true },
        ["Jimeng 4.0 (text-to-image, editing, multi-image) (jimeng_t2i_v40) does not take use_pre_llm"],
      ],
    ];
    for (const [args, body, warnings] of sent) {
      const r = await h.call("jimeng_generate_image", args);
      expect(structured<Job>(r).status, JSON.stringify(args)).toBe("succeeded");
      expect(structured<Job>(r).warnings, JSON.stringify(args)).toEqual(warnings);
      expect(last().json).toMatchObject(body);
    }
  });

  it("image-to-image without an image is advised, sent, and the vendor's refusal explained", async () => {
    const r = await h.call("jimeng_generate_image", { model: "jimeng_i2i_v30", prompt: "x" });
    expect(r.isError).toBe(true);
    expect(last().json).toMatchObject({ req_key: "jimeng_i2i_v30", prompt: "x" });
    expect(text(r)).toMatch(/1 image\(s\) expected, got 0/);
    expect(text(r)).toMatch(/jimeng_i2i_v30\) is not listed for this endpoint \(image\/t2i\)/);
  });

  it("keeps the rules of the API's shape: images all URLs or all files, JPEG/PNG only", async () => {
    const file = join(h.dir, "ref.png");
    writeFileSync(file, makePng(64, 64, 1));
    const before = v.sim.requests.length;
    expect(text(await h.call("jimeng_generate_image", { prompt: "x", images: [REF, file] }))).toMatch(/not a mix/);
    expect((await h.call("jimeng_generate_image", { prompt: "x", images: Array.from({ length: 15 }, () => REF) })).isError).toBe(true);
    expect(v.sim.requests.length).toBe(before);
  });
});
