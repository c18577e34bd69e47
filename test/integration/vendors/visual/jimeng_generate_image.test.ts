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
});
