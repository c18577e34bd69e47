import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeJpeg, makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  error?: { code: string; message: string };
  assets: Array<{ path: string; mime_type: string; url?: string; expires_at?: string }>;
};

const isAction = (a: string) => (r: { query: URLSearchParams }) => r.query.get("Action") === a;

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => v.sim.requests.filter(isAction(action)).at(-1)!.json as Record<string, unknown>;
  const requestsSince = (n: number) => v.sim.requests.length - n;

  it("jimeng_generate_image (Jimeng 4.0): req_json carries return_url, logo_info and aigc_meta; the submit body does not", async () => {
    const r = await h.call("jimeng_generate_image", {
      prompt: "a fox",
      width: 2560,
      height: 1440,
      scale: 0.6,
      logo: { add: true, position: "top_right", language: "en" },
      aigc_meta: { producer_id: "p-42" },
    });
    const job = structured<Job>(r);
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
    expect(structured<Job>(r).status).toBe("succeeded");
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
    const job = structured<Job>(r);
    expect(job.status).toBe("succeeded");
    expect(job.assets).toHaveLength(3);
    const sent = lastBody("CVSync2AsyncSubmitTask").binary_data_base64 as string[];
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toMatch(/^data:/);
    expect(Buffer.from(sent[0]!, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("rejects bad image input before any network call, naming the field and what is allowed", async () => {
    const before = v.sim.requests.length;
    const wide = join(h.dir, "wide.png");
    writeFileSync(wide, makePng(400, 100, 3));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", model: "jimeng_t2i_v30", images: ["https://example.com/a.png"] }, /images: .*text-to-image only/],
      [{ prompt: "x", model: "jimeng_i2i_v30" }, /images: .*exactly 1/],
      [{ prompt: "x", width: 1024 }, /height: give width and height together/],
      [{ prompt: "x", width: 512, height: 512 }, /width: width x height must be between 1048576/],
      [{ prompt: "x", width: 4000, height: 1000 }, /outside \[min_ratio, max_ratio\]/],
      [{ prompt: "x", size: 4194304, width: 2048, height: 2048 }, /size: give size .* or width\+height, not both/],
      [{ prompt: "x", model: "jimeng_t2i_v31", size: 4194304 }, /size: is a Jimeng 4.0 option/],
      [{ prompt: "x", model: "jimeng_t2i_v31", scale: 0.5 }, /scale: .*takes 1-10/],
      [{ prompt: "x", scale: 2 }, /scale: .*takes 0-1/],
      [{ prompt: "x", min_ratio: 2, max_ratio: 1 }, /min_ratio: must not exceed max_ratio/],
      [{ prompt: "x", images: [wide] }, /images: is 400x100 \(ratio 4.00\)/],
      [{ prompt: "x", images: ["https://example.com/a.png", join(h.dir, "ref-a.png")] }, /not a mix/],
      [{ prompt: "x", model: "jimeng_t2i_v40", use_pre_llm: true }, /use_pre_llm/],
      [{ prompt: "x", images: Array.from({ length: 11 }, () => "https://example.com/a.png") }, /images/],
      [{ prompt: "x", model: "nope" }, /model/],
    ];
    for (const [args, re] of cases) {
      const r = await h.call("jimeng_generate_image", args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(re);
    }
    expect(requestsSince(before)).toBe(0);
  });

  it("jimeng_generate_video: duration becomes frames, aspect ratio for text only; a job handed back early resumes", async () => {
    const r = await h.call("jimeng_generate_video", { prompt: "waves at dusk", duration: 10, aspect_ratio: "9:16", wait_seconds: 0 });
    const started = structured<Job>(r);
    expect(["queued", "running"]).toContain(started.status);
    expect(lastBody("CVSync2AsyncSubmitTask")).toEqual({
      req_key: "jimeng_ti2v_v30_pro",
      prompt: "waves at dusk",
      seed: -1,
      frames: 241,
      aspect_ratio: "9:16",
    });
    const done = structured<Job>(await h.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
    const ttl = Date.parse(done.assets[0]!.expires_at!) - Date.now();
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });

  it("first+last-frame video sends both frames in order; invalid combinations are refused first", async () => {
    const f = join(h.dir, "first.png");
    const l = join(h.dir, "last.png");
    writeFileSync(f, makePng(480, 320, 4));
    writeFileSync(l, makePng(480, 320, 5));
    const r = await h.call("jimeng_generate_video", { model: "jimeng_i2v_first_tail_v30", first_frame: f, last_frame: l, prompt: "morph" });
    expect(structured<Job>(r).status).toBe("succeeded");
    const body = lastBody("CVSync2AsyncSubmitTask");
    expect((body.binary_data_base64 as string[]).map((s) => Buffer.from(s, "base64").equals(makePng(480, 320, 4)))).toEqual([true, false]);
    expect(body.aspect_ratio).toBeUndefined();
    const before = v.sim.requests.length;
    const small = join(h.dir, "small.png");
    writeFileSync(small, makePng(200, 200, 6));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", last_frame: l }, /last_frame: needs first_frame/],
      [{ model: "jimeng_i2v_first_v30", prompt: "x" }, /first_frame: .*needs a first_frame/],
      [{ model: "jimeng_t2v_v30", first_frame: f }, /text-to-video only/],
      [{ model: "jimeng_i2v_first_tail_v30", first_frame: f }, /needs both/],
      [{ first_frame: f, aspect_ratio: "1:1" }, /aspect_ratio: applies to text-to-video only/],
      [{}, /prompt: text-to-video needs a prompt/],
      [{ prompt: "x", duration: 7 }, /duration/],
      [{ first_frame: small }, /short side must be at least 320/],
    ];
    for (const [args, re] of cases) {
      const res = await h.call("jimeng_generate_video", args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(re);
    }
    expect(requestsSince(before)).toBe(0);
  });

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
    expect(structured<Job>(r).status).toBe("succeeded");
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
    const bad = await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gen_mode: "creative" });
    expect(text(bad)).toMatch(/prompt: gen_mode "creative"/);
    expect((await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gpen: 2 })).isError).toBe(true);
  });

  it("VOLC_PORTRAIT_REQ_KEY changes the req_key sent", async () => {
    const other = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: { VOLC_PORTRAIT_REQ_KEY: "jimeng_t2i_v46" } });
    try {
      const r = await other.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", prompt: "x" });
      expect(structured<Job>(r).status).toBe("succeeded");
      expect(lastBody("CVSync2AsyncSubmitTask").req_key).toBe("jimeng_t2i_v46");
    } finally {
      await other.close();
    }
  });

  it("volc_visual_call: async without return_url gets base64, decoded to a real image file", async () => {
    const r = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "raw call", width: 1024, height: 1024 },
    });
    const job = structured<Job>(r);
    expect(job.status).toBe("succeeded");
    expect(job.assets[0]!.mime_type).toBe("image/jpeg");
    expect(job.assets[0]!.url).toBeUndefined();
    expect(lastBody("CVSync2AsyncGetResult").req_json).toBeUndefined();
    const withJson = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "raw" },
      req_json: { return_url: true },
    });
    expect(structured<Job>(withJson).assets[0]!.url).toMatch(/^http/);
    const sync = await h.call("volc_visual_call", { req_key: "jimeng_high_aes_general_v21_L", mode: "sync", body: { prompt: "raw sync" } });
    expect(structured<Job>(sync).assets[0]!.mime_type).toBe("image/jpeg");
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "sync", body: {}, req_json: { return_url: true } }))).toMatch(
      /req_json: is for async mode only/,
    );
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "async", body: { req_key: "y" } }))).toMatch(
      /body: must not set a different req_key/,
    );
    const vendorErr = await h.call("volc_visual_call", { req_key: "unknown_key", mode: "async", body: { prompt: "x" } });
    expect(vendorErr.isError).toBe(true);
    expect(text(vendorErr)).toMatch(/50200.*request id/);
  });

  it("failures: input moderation, output moderation (done + 50511), expired and not_found end the job clearly", async () => {
    const blocked = await h.call("jimeng_generate_image", { prompt: "[blocked] x" });
    expect(blocked.isError).toBe(true);
    expect(text(blocked)).toMatch(/50412, HTTP 400, request id \d{14}/);
    expect(text(blocked)).toMatch(/What to do: Rephrase/);
    const failed = structured<Job>(await h.call("jimeng_generate_image", { prompt: "[fail] x" }));
    expect(failed).toMatchObject({ status: "failed", error: { code: "50511" } });
    const expired = structured<Job>(await h.call("jimeng_generate_image", { prompt: "[expire] x" }));
    expect(expired).toMatchObject({ status: "expired", error: { code: "TaskExpired" } });
    const started = structured<Job>(await h.call("jimeng_generate_video", { prompt: "[slow] long", wait_seconds: 0 }));
    const later = await h.restart();
    try {
      // 13 hours later (the task's clock, not the signing clock, so later signatures stay fresh)
      for (const t of v.tasks.values()) t.createdMs -= 13 * 3600_000;
      const gone = structured<Job>(await later.call("wait_for_job", { job_id: started.job_id, wait_seconds: 10 }));
      expect(gone).toMatchObject({ status: "failed", error: { code: "TaskNotFound", message: expect.stringMatching(/12 hours/) } });
    } finally {
      await later.close();
    }
  });

  it("a restarted server resumes a Jimeng job from its id alone (req_key and req_json are in the handle)", async () => {
    const started = structured<Job>(
      await h.call("jimeng_generate_image", { prompt: "[slow] resume me", logo: { add: true }, wait_seconds: 0 }),
    );
    const second = await h.restart();
    try {
      const done = structured<Job>(await second.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(JSON.parse(lastBody("CVSync2AsyncGetResult").req_json as string)).toMatchObject({
        return_url: true,
        logo_info: { add_logo: true },
      });
    } finally {
      await second.close();
    }
  });

  it("cancel_job uses CVCancelTask and reports the vendor's answer", async () => {
    const queued = structured<Job>(await h.call("jimeng_generate_video", { prompt: "[slow] cancel me", wait_seconds: 0 }));
    const c = await h.call("cancel_job", { job_id: queued.job_id });
    expect(structured(c)).toMatchObject({ cancelled: true, status: "cancelled" });
    expect(text(c)).toMatch(/accepted CVCancelTask/);
    expect(v.sim.requests.filter(isAction("CVCancelTask")).at(-1)!.query.get("Version")).toBe("2024-06-06");
    const running = structured<Job>(await h.call("jimeng_generate_video", { prompt: "[slow] keep going", wait_seconds: 0 }));
    v.sim.advance(200);
    const refused = await h.call("cancel_job", { job_id: running.job_id });
    expect(structured(refused)).toMatchObject({ cancelled: false });
    expect(text(refused)).toMatch(/code 50200: .*generating/);
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
    expect(structured<Job>(r).status).toBe("succeeded");
    expect(notes.some((n) => /busy \(50430/.test(n))).toBe(true);
  });

  it("check validates the keys with a free lookup", async () => {
    const vendor = h.app.vendors.find((x) => x.id === "visual")!;
    expect(await vendor.check(AbortSignal.timeout(5000))).toMatch(/keys accepted.*nothing was created/);
    expect(v.sim.requests.at(-1)!.query.get("Action")).toBe("CVSync2AsyncGetResult");
  });
});
