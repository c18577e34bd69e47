/** jimeng_generate_image: the catalog routes each req_key; per-model rules that used to refuse are advice now. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeJpeg, makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";
import { isAction } from "./helpers.js";

const REF = "https://example.com/ref.png";

describe("jimeng_generate_image", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const last = () => lastRequest(v, (r) => /SubmitTask$|^CVProcess$/.test(r.query.get("Action") ?? ""));

  it("routes each req_key the catalog's way: 2.1 through CVProcess, the others as async tasks", async () => {
    const sync = await h.call("jimeng_generate_image", {
      model: "jimeng_high_aes_general_v21_L",
      prompt: "a bell",
      width: 512,
      height: 512,
    });
    expect(jobOf(sync).status).toBe("succeeded");
    expect(last().query.get("Action")).toBe("CVProcess");
    expect(last().json).toMatchObject({ req_key: "jimeng_high_aes_general_v21_L", return_url: true });
    const task = await h.call("jimeng_generate_image", { prompt: "a bell" });
    expect(jobOf(task)).toMatchObject({ status: "succeeded", model: "jimeng_t2i_v40" });
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
      expect(jobOf(r).status, JSON.stringify(args)).toBe("succeeded");
      expect(jobOf(r).warnings, JSON.stringify(args)).toEqual(warnings);
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
    const before = mark(v);
    expect(text(await h.call("jimeng_generate_image", { prompt: "x", images: [REF, file] }))).toMatch(/not a mix/);
    expect((await h.call("jimeng_generate_image", { prompt: "x", images: Array.from({ length: 15 }, () => REF) })).isError).toBe(true);
    expect(before.since()).toHaveLength(0);
  });
});

describe("jimeng_generate_image (tool behaviour)", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => lastRequest(v, isAction(action)).json as Record<string, unknown>;
  it("jimeng_generate_image (Jimeng 4.0): req_json carries return_url, logo_info and aigc_meta; the submit body does not", async () => {
    const r = await h.call("jimeng_generate_image", {
      prompt: "a fox",
      width: 2560,
      height: 1440,
      scale: 0.6,
      logo: { add: true, position: "top_right", language: "en" },
      aigc_meta: { producer_id: "p-42" },
    });
    const job = jobOf(r);
    expect(job).toMatchObject({ status: "succeeded", vendor: "visual" });
    expect(job.assets[0]).toMatchObject({ mime_type: "image/jpeg" });
    expect(job.assets[0]!.url).toMatch(/X-Tos-Expires=86400/);
    const submit = lastBody("CVSync2AsyncSubmitTask");
    expect(submit).toEqual({ req_key: "jimeng_t2i_v40", prompt: "a fox", scale: 0.6, width: 2560, height: 1440 });
    const poll = lastBody("CVSync2AsyncGetResult");
    expect(JSON.parse(poll.req_json as string)).toEqual({
      return_url: true,
      logo_info: { add_logo: true, position: 3, language: 1, opacity: 1 },
      aigc_meta: { producer_id: "p-42" },
    });
  });

  it("the synchronous 2.1 model (CVProcess) gets the delivery options in the body", async () => {
    const r = await h.call("jimeng_generate_image", {
      prompt: "a lighthouse",
      model: "jimeng_high_aes_general_v21_L",
      width: 512,
      height: 512,
      logo: { add: true },
      aigc_meta: { producer_id: "p-1" },
    });
    expect(jobOf(r).status).toBe("succeeded");
    const body = lastBody("CVProcess");
    expect(body).toMatchObject({
      req_key: "jimeng_high_aes_general_v21_L",
      return_url: true,
      logo_info: { add_logo: true, position: 0, language: 0, opacity: 1 },
      aigc_meta: JSON.stringify({ producer_id: "p-1" }),
    });
  });

  it("local images go out as raw binary_data_base64; Jimeng 4.0 may return several images", async () => {
    const a = join(h.dir, "ref-a.png");
    const b = join(h.dir, "ref-b.jpg");
    writeFileSync(a, makePng(64, 48, 1));
    writeFileSync(b, makeJpeg(64, 64, 2));
    const r = await h.call("jimeng_generate_image", { prompt: "[group] merge these", images: [a, b] });
    const job = jobOf(r);
    expect(job.status).toBe("succeeded");
    expect(job.assets).toHaveLength(3);
    const sent = lastBody("CVSync2AsyncSubmitTask").binary_data_base64 as string[];
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toMatch(/^data:/);
    expect(Buffer.from(sent[0]!, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("the old per-model refusals reach the vendor now (it decides); only the API's shape is refused before any network call", async () => {
    const wide = join(h.dir, "wide.png");
    writeFileSync(wide, makePng(400, 100, 3));
    const sent: Array<Record<string, unknown>> = [
      { prompt: "x", model: "jimeng_t2i_v30", images: ["https://example.com/a.png"] },
      { prompt: "x", model: "jimeng_i2i_v30" },
      { prompt: "x", width: 1024 },
      { prompt: "x", width: 512, height: 512 },
      { prompt: "x", width: 4000, height: 1000 },
      { prompt: "x", size: 4194304, width: 2048, height: 2048 },
      { prompt: "x", model: "jimeng_t2i_v31", size: 4194304 },
      { prompt: "x", model: "jimeng_t2i_v31", scale: 0.5 },
      { prompt: "x", scale: 2 },
      { prompt: "x", min_ratio: 2, max_ratio: 1 },
      { prompt: "x", images: [wide] },
      { prompt: "x", model: "jimeng_t2i_v40", use_pre_llm: true },
      { prompt: "x", images: Array.from({ length: 11 }, () => "https://example.com/a.png") },
      { prompt: "x", model: "nope" },
    ];
    for (const args of sent) {
      const before = mark(v);
      await h.call("jimeng_generate_image", args);
      expect(before.since().length, JSON.stringify(args)).toBeGreaterThan(0);
    }
    const unknown = await h.call("jimeng_generate_image", { prompt: "x", model: "nope" });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/50200.*req_key nope not supported/);
    const before = mark(v);
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", images: ["https://example.com/a.png", join(h.dir, "ref-a.png")] }, /not a mix/],
      [{ prompt: "x", images: Array.from({ length: 15 }, () => "https://example.com/a.png") }, /images/],
      [{ prompt: "x", images: [join(h.dir, "missing.png")] }, /images/],
    ];
    for (const [args, re] of refused) {
      const r = await h.call("jimeng_generate_image", args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(re);
    }
    expect(before.since().length).toBe(0);
  });

  it("backs off on 50430 at submit with progress messages, within the wait budget", async () => {
    v.sim.inject({
      kind: "status",
      status: 429,
      match: isAction("CVSync2AsyncSubmitTask"),
      body: {
        code: 50430,
        data: null,
        message: "Request Has Reached API Concurrent Limit, Please Try Later",
        request_id: "r",
        status: 50430,
      },
    });
    const notes: string[] = [];
    const r = await h.call(
      "jimeng_generate_image",
      { prompt: "busy", wait_seconds: 20 },
      { onprogress: (p) => notes.push(p.message ?? "") },
    );
    expect(jobOf(r).status).toBe("succeeded");
    expect(notes.some((n) => /busy \(50430/.test(n))).toBe(true);
  });
});
