import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

describe("Ark tools end to end (in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("seedance_generate_video downloads the video and the last frame", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "waves", duration: 5, return_last_frame: true, wait_seconds: 20 });
    const s = structured<{
      status: string;
      vendor_task_id: string;
      assets: Array<{ mime_type: string; duration_s?: number; role?: string }>;
    }>(r);
    expect(s.status).toBe("succeeded");
    expect(s.vendor_task_id).toMatch(/^cgt-/);
    expect(s.assets.map((a) => a.mime_type)).toEqual(["video/mp4", "image/png"]);
    expect(s.assets[0]!.duration_s).toBeCloseTo(5, 1);
    expect(s.assets[1]!.role).toBe("last_frame");
  });

  it("reports a failed task with the vendor code and isError", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "[fail] storm", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: "failed", error: { code: "OutputVideoSensitiveContentDetected" } });
    // A moderation failure of the finished video says what to change, like a refused create does.
    // In its own field and on its own line of the text, never inside error.message.
    expect((structured(r).error as { hint: string }).hint).toMatch(/^Rephrase the prompt/);
    expect((structured(r).error as { message: string }).message).not.toMatch(/What to do/);
    expect(text(r)).toMatch(/^Error: .*\nWhat to do: Rephrase the prompt/);
    // The request id of the poll that saw the failure, on the first line as every other failure has it.
    const requestId = (structured(r).error as { request_id?: string }).request_id;
    expect(requestId).toMatch(/\S/);
    expect(text(r).split("\n")[0]).toContain(`request id ${requestId}`);
  });

  it("reports an expired task", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "[expire] calm", wait_seconds: 20 });
    expect(structured(r)).toMatchObject({ status: "expired" });
    expect(r.isError).toBe(true);
    // Every failure says what to do, a vendor error without a hint of its own too.
    expect((structured(r).error as { hint: string }).hint).toMatch(/^Nothing more will come from this task: call the tool again/);
    expect(text(r)).toMatch(/^Error: TaskExpired .*\nWhat to do: Nothing more will come/);
  });
});

describe("tool input validation over MCP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("names the field and the allowed values for enums", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "p", resolution: "8k" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/resolution/);
    expect(text(r)).toMatch(/480p.*720p.*1080p.*4k/);
  });

  it("rejects a request with nothing to make a video from before any network call", async () => {
    const before = mark(h.ark);
    const r = await h.call("seedance_generate_video", { reference_images: [] });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/prompt: give a prompt, a first_frame, reference media or a draft_task_id/);
    expect(before.since()).toHaveLength(0);
  });

  it("leaves combinations that depend on the model to Ark: a first frame with reference images reaches it", async () => {
    const before = mark(h.ark);
    const r = await h.call("seedance_generate_video", {
      prompt: "p",
      first_frame: "https://x.example/a.png",
      reference_images: ["https://x.example/b.png"],
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/InvalidParameter\.TaskTypeConstraint/);
    expect(before.since()).toHaveLength(1);
  });
});
