import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeJpeg, makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  model?: string;
  vendor_task_id?: string;
  assets: Array<{ path: string; mime_type: string; role?: string; expires_at?: string; url?: string }>;
  error?: { code: string; message: string };
};

const PNG = `data:image/png;base64,${makePng(320, 320, 1).toString("base64")}`;
const JPG = `data:image/jpeg;base64,${makeJpeg(400, 300, 2).toString("base64")}`;
const TINY = `data:image/png;base64,${makePng(64, 64).toString("base64")}`;
const WIDE = `data:image/png;base64,${makePng(900, 300).toString("base64")}`;

describe("Kling tools", () => {
  let h: Harness;
  let sim: KlingSimulator;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
    sim = h.sandbox.kling;
  });
  afterAll(() => h.close());

  /** Calls a tool that must fail validation before any request reaches the simulator. */
  async function rejected(name: string, args: Record<string, unknown>, pattern: RegExp): Promise<void> {
    const before = sim.sim.requests.length;
    const r = await h.call(name, args);
    expect(r.isError, `${name} ${JSON.stringify(args).slice(0, 120)}`).toBe(true);
    expect(text(r)).toMatch(pattern);
    expect(sim.sim.requests.length).toBe(before);
  }

  it("lists every Kling tool with the right annotations", async () => {
    const tools = (await h.client.listTools()).tools;
    const kling = tools
      .filter((t) => t.name.startsWith("kling_"))
      .map((t) => t.name)
      .sort();
    expect(kling).toEqual([
      "kling_create_element",
      "kling_delete_element",
      "kling_generate_image",
      "kling_image_to_video",
      "kling_list_elements",
      "kling_multi_image_to_image",
      "kling_multi_image_to_video",
      "kling_omni_image",
      "kling_omni_video",
      "kling_text_to_video",
    ]);
    const by = new Map(tools.map((t) => [t.name, t]));
    expect(by.get("kling_delete_element")!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(by.get("kling_list_elements")!.annotations).toMatchObject({ readOnlyHint: true });
    expect(by.get("kling_omni_video")!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false, openWorldHint: true });
  });

  it("text-to-video: sends a string duration and the JWT, saves the MP4 and the watermarked copy", async () => {
    const r = await h.call("kling_text_to_video", {
      prompt: "a fox in snow",
      duration: 5,
      mode: "pro",
      aspect_ratio: "9:16",
      sound: true,
      watermark: true,
      camera_control: { type: "simple", config: { zoom: 5 } },
      wait_seconds: 20,
    });
    const job = structured<Job>(r);
    expect(job.status).toBe("succeeded");
    expect(job.model).toBe("kling-v2-6");
    expect(job.assets.map((a) => [a.mime_type, a.role])).toEqual([
      ["video/mp4", undefined],
      ["video/mp4", "watermarked"],
    ]);
    expect(Date.parse(job.assets[0]!.expires_at!)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    const sent = sim.sim.requests.find((q) => q.method === "POST" && (q.json as { prompt?: string }).prompt === "a fox in snow")!;
    expect(sent.json).toMatchObject({
      model_name: "kling-v2-6",
      duration: "5",
      mode: "pro",
      sound: "on",
      watermark_info: { enabled: true },
      camera_control: { type: "simple", config: { zoom: 5, pan: 0 } },
    });
    expect(String(sent.headers.authorization)).toMatch(/^Bearer eyJ/);
    expect(text(r)).not.toContain(sim.secretKey);
  });

  it("text-to-video validation happens before any call", async () => {
    await rejected("kling_text_to_video", { prompt: "x", model: "kling-v2-6", duration: 7 }, /duration: .*accepts 5, 10/);
    await rejected("kling_text_to_video", { prompt: "x", model: "kling-v2-master", cfg_scale: 0.4 }, /cfg_scale/);
    await rejected("kling_text_to_video", { prompt: "x", model: "kling-v1", sound: true }, /sound/);
    await rejected("kling_text_to_video", { prompt: "x", voice_ids: ["v1"] }, /voices need sound: true/);
    await rejected(
      "kling_text_to_video",
      { prompt: "x", camera_control: { type: "simple", config: { zoom: 1, pan: 2 } } },
      /exactly one non-zero axis/,
    );
    await rejected(
      "kling_text_to_video",
      { prompt: "x", camera_control: { type: "down_back", config: { zoom: 1 } } },
      /only type "simple" takes a config/,
    );
    await rejected(
      "kling_text_to_video",
      { prompt: "x", model: "kling-v3", multi_shot: true, shot_type: "customize" },
      /needs multi_prompt/,
    );
    await rejected("kling_text_to_video", { prompt: "x", shot_type: "customize" }, /only applies with multi_shot/);
    await rejected(
      "kling_text_to_video",
      { prompt: "x", model: "kling-v2-6", multi_shot: true, shot_type: "intelligence" },
      /does not support multi-shot/,
    );
    await rejected(
      "kling_text_to_video",
      {
        prompt: "x",
        model: "kling-v3",
        multi_shot: true,
        shot_type: "customize",
        duration: 10,
        multi_prompt: [
          { prompt: "a", duration: 3 },
          { prompt: "b", duration: 3 },
        ],
      },
      /add up to 6 s but duration is 10/,
    );
    await rejected("kling_text_to_video", { prompt: "x", model: "kling-video-o1" }, /not served by Kling's videos\/text2video/);
    await rejected("kling_text_to_video", { prompt: "x", mode: "standard" }, /mode/);
    await rejected("kling_text_to_video", { prompt: "x", cfg_scale: 2 }, /cfg_scale/);
  });

  it("multi-shot on Kling 3.0 builds indexed shots with string durations", async () => {
    const r = await h.call("kling_text_to_video", {
      prompt: "two shots",
      model: "kling-v3",
      multi_shot: true,
      shot_type: "customize",
      duration: 8,
      multi_prompt: [
        { prompt: "a", duration: 3 },
        { prompt: "b", duration: 5 },
      ],
      wait_seconds: 0,
    });
    expect(["queued", "running", "succeeded"]).toContain(structured<Job>(r).status);
    const sent = sim.sim.requests.filter((q) => q.method === "POST").at(-1)!.json;
    expect(sent).toMatchObject({
      multi_shot: true,
      shot_type: "customize",
      duration: "8",
      multi_prompt: [
        { index: 1, prompt: "a", duration: "3" },
        { index: 2, prompt: "b", duration: "5" },
      ],
    });
  });

  it("an unknown model name is passed through and Kling's answer explains it", async () => {
    const r = await h.call("kling_text_to_video", { prompt: "x", model: "kling-v9-future" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Kling error \(1203, HTTP 404, request id [\w-]+\): model_name kling-v9-future not found/);
    expect(text(r)).toMatch(/What to do: .*model/);
  });

  it("image-to-video: raw base64 (no data: prefix), local paths, and the exclusive groups", async () => {
    const path = join(h.dir, "first.png");
    writeFileSync(path, makePng(320, 320, 9));
    const r = await h.call("kling_image_to_video", {
      image: path,
      prompt: "it moves",
      static_mask: PNG,
      dynamic_masks: [
        {
          mask: JPG,
          trajectories: [
            { x: 1, y: 2 },
            { x: 30, y: 40 },
          ],
        },
      ],
      wait_seconds: 20,
    });
    expect(structured<Job>(r).status).toBe("succeeded");
    const sent = sim.sim.requests.filter((q) => q.method === "POST" && q.path.endsWith("image2video")).at(-1)!.json as Record<
      string,
      string
    >;
    expect(sent.image).toBe(makePng(320, 320, 9).toString("base64"));
    expect(sent.static_mask).not.toMatch(/^data:/);
    await rejected("kling_image_to_video", { prompt: "x" }, /give image/);
    await rejected(
      "kling_image_to_video",
      { image: PNG, image_tail: PNG, camera_control: { type: "forward_up" } },
      /only one of: first\/last frame, motion brush, camera control/,
    );
    await rejected("kling_image_to_video", { image: PNG, static_mask: PNG, camera_control: { type: "forward_up" } }, /only one of/);
    await rejected("kling_image_to_video", { image_tail: PNG, static_mask: PNG }, /only one of/);
    await rejected("kling_image_to_video", { image: PNG, dynamic_masks: [{ mask: PNG, trajectories: [{ x: 1, y: 1 }] }] }, /trajectories/);
    await rejected("kling_image_to_video", { image: TINY }, /at least 300 px/);
    await rejected("kling_image_to_video", { image: WIDE }, /between 1:2.5 and 2.5:1/);
    await rejected("kling_image_to_video", { image: "data:image/gif;base64,R0lGODlhAQABAAAAACw=" }, /image\/gif|expected image|allowed/);
    await rejected("kling_image_to_video", { image: "/etc/passwd" }, /outside the allowed input folders/);
  });

  it("multi-image-to-video: 1-4 images, kling-v1-6 by default", async () => {
    const r = await h.call("kling_multi_image_to_video", {
      images: [PNG, JPG, "https://example.com/a.png"],
      prompt: "they meet",
      wait_seconds: 20,
    });
    expect(structured<Job>(r)).toMatchObject({ status: "succeeded", model: "kling-v1-6" });
    const sent = sim.sim.requests.filter((q) => q.path.endsWith("multi-image2video") && q.method === "POST").at(-1)!.json as {
      image_list: Array<{ image: string }>;
    };
    expect(sent.image_list[2]).toEqual({ image: "https://example.com/a.png" });
    await rejected("kling_multi_image_to_video", { images: [PNG, PNG, PNG, PNG, PNG], prompt: "x" }, /images/);
    await rejected("kling_multi_image_to_video", { images: [PNG], prompt: "x", model: "kling-v2-6" }, /not served/);
  });

  it("omni video: roles, elements, video reference and the count limits", async () => {
    const r = await h.call("kling_omni_video", {
      prompt: "<<<image_1>>> walks to <<<element_1>>>",
      images: [{ image: PNG, role: "first_frame" }, { image: JPG }],
      element_ids: ["9100000000000007919"],
      video: { url: "https://example.com/ref.mp4", refer_type: "feature", keep_original_sound: true },
      duration: 7,
      wait_seconds: 20,
    });
    expect(structured<Job>(r)).toMatchObject({ status: "succeeded", model: "kling-video-o1" });
    const post = sim.sim.requests.filter((q) => q.path.endsWith("omni-video") && q.method === "POST").at(-1)!;
    expect(post.body.toString()).toContain('"element_list":[{"element_id":9100000000000007919}]');
    expect(post.json).toMatchObject({
      duration: "7",
      image_list: [{ type: "first_frame" }, {}],
      video_list: [{ video_url: "https://example.com/ref.mp4", refer_type: "feature", keep_original_sound: "yes" }],
    });
    const five = Array.from({ length: 5 }, () => ({ image: PNG }));
    await rejected(
      "kling_omni_video",
      { prompt: "x", images: five, video: { url: "https://example.com/v.mp4" }, aspect_ratio: "1:1" },
      /at most 4 images when a video is given/,
    );
    await rejected(
      "kling_omni_video",
      { prompt: "x", images: five, element_ids: ["1", "2", "3"], aspect_ratio: "1:1" },
      /images \+ elements may be at most 7/,
    );
    await rejected(
      "kling_omni_video",
      { prompt: "x", images: [{ image: PNG, role: "first_frame" }, { image: PNG }, { image: PNG, role: "end_frame" }] },
      /end_frame is only allowed with at most 2 images/,
    );
    await rejected("kling_omni_video", { prompt: "x" }, /aspect_ratio: is required/);
    await rejected("kling_omni_video", { prompt: "x", aspect_ratio: "16:9", duration: 7 }, /only be 5 or 10/);
    await rejected("kling_omni_video", { prompt: "x", video: { url: "ftp://x/v.mp4" } }, /video/);
  });

  it("generate image: n images, the reference image rules", async () => {
    const r = await h.call("kling_generate_image", { prompt: "a teapot", n: 2, aspect_ratio: "1:1", wait_seconds: 20 });
    const job = structured<Job>(r);
    expect(job).toMatchObject({ status: "succeeded", model: "kling-v2-1" });
    expect(job.assets.map((a) => a.mime_type)).toEqual(["image/png", "image/png"]);
    expect(r.content.some((c) => c.type === "resource")).toBe(true);
    await rejected("kling_generate_image", { prompt: "x", image_reference: "face" }, /needs a reference image/);
    await rejected("kling_generate_image", { prompt: "x", image: PNG, image_reference: "face" }, /use kling-v1-5/);
    await rejected("kling_generate_image", { prompt: "x", image: PNG, negative_prompt: "y" }, /negative_prompt/);
    await rejected("kling_generate_image", { prompt: "x", n: 10 }, /n/);
    await rejected("kling_generate_image", { prompt: "x", resolution: "4k" }, /accepts 1k, 2k/);
    const ok = await h.call("kling_generate_image", {
      prompt: "face",
      model: "kling-v1-5",
      image: JPG,
      image_reference: "face",
      human_fidelity: 0.6,
      wait_seconds: 20,
    });
    expect(structured<Job>(ok).status).toBe("succeeded");
  });

  it("multi-image-to-image and omni image (series)", async () => {
    const m = await h.call("kling_multi_image_to_image", {
      subject_images: [PNG, JPG],
      scene_image: PNG,
      style_image: JPG,
      prompt: "together",
      wait_seconds: 20,
    });
    expect(structured<Job>(m).status).toBe("succeeded");
    const sent = sim.sim.requests.filter((q) => q.path.endsWith("multi-image2image")).at(-1)!.json as { subject_image_list: unknown[] };
    expect(sent.subject_image_list).toHaveLength(2);
    await rejected("kling_multi_image_to_image", { subject_images: [] }, /subject_images/);
    const s = await h.call("kling_omni_image", {
      prompt: "a comic strip of <<<image_1>>>",
      images: [PNG],
      result_type: "series",
      series_amount: 3,
      aspect_ratio: "auto",
      wait_seconds: 20,
    });
    const job = structured<Job>(s);
    expect(job.status).toBe("succeeded");
    expect(job.assets.map((a) => a.role)).toEqual(["series", "series", "series"]);
    await rejected("kling_omni_image", { prompt: "x", images: Array(8).fill(PNG), element_ids: ["1", "2", "3"] }, /at most 10/);
    await rejected("kling_omni_image", { prompt: "x", result_type: "series", n: 2 }, /series_amount/);
    await rejected("kling_omni_image", { prompt: "x", series_amount: 3 }, /only applies with result_type/);
    await rejected("kling_omni_image", { prompt: "x", resolution: "4k" }, /accepts 1k, 2k/);
  });

  it("a failed task and a content-safety rejection are clear errors", async () => {
    const f = await h.call("kling_text_to_video", { prompt: "[fail] storm", wait_seconds: 20 });
    expect(f.isError).toBe(true);
    expect(structured<Job>(f)).toMatchObject({ status: "failed", error: { code: "TaskFailed" } });
    const b = await h.call("kling_generate_image", { prompt: "[blocked] x" });
    expect(b.isError).toBe(true);
    expect(text(b)).toMatch(/1301.*What to do: .*content safety/s);
  });

  it("waits locally on 1303 and reports it as progress", async () => {
    sim.sim.advance(60_000);
    sim.sim.inject({
      kind: "status",
      status: 429,
      times: 2,
      match: (q) => q.method === "POST",
      body: { code: 1303, message: "parallel task over resource pack limit", request_id: "r1303" },
    });
    const messages: string[] = [];
    const r = await h.call(
      "kling_text_to_video",
      { prompt: "busy day", wait_seconds: 30 },
      { onprogress: (p) => messages.push(p.message ?? "") },
    );
    expect(structured<Job>(r).status).toBe("succeeded");
    expect(messages.some((m) => /parallel-task limit \(1303\); queued locally/.test(m))).toBe(true);
  });

  it("cancel_job says plainly that Kling cannot cancel", async () => {
    const started = structured<Job>(await h.call("kling_text_to_video", { prompt: "[slow] long", wait_seconds: 0 }));
    const c = await h.call("cancel_job", { job_id: started.job_id });
    expect(c.isError).toBeFalsy();
    expect(structured<{ cancelled: boolean; message: string }>(c)).toMatchObject({
      cancelled: false,
      message: expect.stringMatching(/Kling has no cancel endpoint/),
    });
  });

  it("a restarted server resumes a Kling job from its id alone", async () => {
    const started = structured<Job>(await h.call("kling_omni_image", { prompt: "resume me", n: 1, wait_seconds: 0 }));
    expect(["queued", "running"]).toContain(started.status);
    await h.app.jobs.close();
    const h2 = await h.restart();
    try {
      const done = structured<Job>(await h2.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done).toMatchObject({ status: "succeeded", vendor: "kling", vendor_task_id: started.vendor_task_id });
      expect(done.assets[0]!.mime_type).toBe("image/png");
    } finally {
      await h2.close();
    }
  });

  it("elements: create, list custom and official, delete", async () => {
    const c = await h.call("kling_create_element", {
      element_name: "Fox",
      element_description: "a red fox",
      frontal_image: PNG,
      refer_images: [JPG],
      tag_ids: ["o_102"],
    });
    expect(c.isError).toBeFalsy();
    const id = structured<{ element: { element_id: string } }>(c).element.element_id;
    expect(id).toMatch(/^\d{19}$/);
    const list = structured<{ elements: Array<{ element_id: string }> }>(await h.call("kling_list_elements", {}));
    expect(list.elements.map((e) => e.element_id)).toContain(id);
    const official = structured<{ source: string; elements: Array<{ owned_by?: string }> }>(
      await h.call("kling_list_elements", { source: "official" }),
    );
    expect(official.elements[0]!.owned_by).toBe("kling");
    const d = await h.call("kling_delete_element", { element_id: id });
    expect(structured(d)).toMatchObject({ element_id: id, deleted: true });
    const again = await h.call("kling_delete_element", { element_id: id });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/1203/);
    await rejected(
      "kling_create_element",
      { element_name: "x".repeat(21), element_description: "d", frontal_image: PNG, refer_images: [PNG] },
      /element_name/,
    );
    await rejected(
      "kling_create_element",
      { element_name: "x", element_description: "d", frontal_image: PNG, refer_images: [] },
      /refer_images/,
    );
    await rejected("kling_delete_element", { element_id: "abc" }, /numeric element id/);
  });
});
