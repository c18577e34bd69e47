/** volc_visual_call's action families: the catalog's route by default, an explicit mode as the escape hatch, CVSubmitTask/CVGetResult included. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleOf } from "../../../helpers/job-handle.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark, type RequestMark } from "../../../helpers/results.js";
import { isAction } from "./helpers.js";

const ROLE = "jimeng_realman_avatar_picture_create_role_omni_v15";
const OMNI = "jimeng_realman_avatar_picture_omni_v15";
const PHOTO = "https://example.com/person.jpg";

describe("volc_visual_call", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const actions = (since: RequestMark) =>
    since
      .since()
      .map((r) => r.query.get("Action"))
      .filter(Boolean);

  it("OmniHuman step 1 goes through CVSubmitTask + CVGetResult by the catalog's route; its JSON verdict is the result", async () => {
    const before = mark(v);
    const r = await h.call("volc_visual_call", { req_key: ROLE, body: { image_url: PHOTO }, wait_seconds: 20 });
    const job = jobOf(r);
    expect(job).toMatchObject({ status: "succeeded", assets: [], detail: 'result: {"status":1}' });
    expect(text(r)).toMatch(/succeeded with no file; the vendor's result: \{"status":1\}/);
    const seen = actions(before);
    expect(seen[0]).toBe("CVSubmitTask");
    expect(new Set(seen.slice(1))).toEqual(new Set(["CVGetResult"]));
    expect(before.since((q) => q.query.get("Action") === "CVSubmitTask")[0]!.json).toEqual({
      image_url: PHOTO,
      req_key: ROLE,
    });
    const nobody = jobOf(await h.call("volc_visual_call", { req_key: ROLE, body: { image_url: `${PHOTO}?[nobody]` } }));
    expect(nobody.detail).toBe('result: {"status":0}');
  });

  it("checks every URL in the passthrough body like a media field's, naming its path, before any vendor call", async () => {
    const before = mark(v);
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { prompt: "x", image_urls: [PHOTO, "http://169.254.169.254/latest/meta-data/iam"] },
        /^Error: UnreachableUrl: body\.image_urls\[1\]: http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam is on 169\.254\.169\.254/,
      ],
      [{ image_url: "http://[::127.0.0.1]:8080/a.jpg" }, /^Error: UnreachableUrl: body\.image_url: /],
      [
        { prompt: "x", extra: { clips: [{ video_url: "http://minio:9000/v.mp4" }] } },
        /^Error: UnreachableUrl: body\.extra\.clips\[0\]\.video_url: /,
      ],
    ];
    for (const [body, re] of cases) {
      const r = await h.call("volc_visual_call", { req_key: "jimeng_t2i_v40", body });
      expect(r.isError, JSON.stringify(body)).toBe(true);
      expect(text(r)).toMatch(re);
    }
    expect(before.since()).toEqual([]);
  });

  it("step 2 makes a video; the job id records the action family, so a restarted server polls CVGetResult", async () => {
    const started = jobOf(
      await h.call("volc_visual_call", {
        req_key: OMNI,
        mode: "submit_task",
        body: { image_url: PHOTO, audio_url: "https://example.com/voice.mp3", prompt: "[slow] talks" },
        output_kind: "video",
        wait_seconds: 0,
      }),
    );
    expect(["queued", "running"]).toContain(started.status);
    expect((await handleOf(h, started.job_id)).x).toEqual({ rk: OMNI, af: "task" });
    const second = await h.restart();
    try {
      const before = mark(v);
      const done = jobOf(await second.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(done.assets[0]!.mime_type).toBe("video/mp4");
      expect(actions(before).filter((a) => a !== null)).toContain("CVGetResult");
      expect(actions(before)).not.toContain("CVSync2AsyncGetResult");
    } finally {
      await second.close();
    }
  });

  it("a req_key the catalog lists as video makes a video without output_kind (it was taken for an image, and the billed video lost)", async () => {
    const done = jobOf(await h.call("volc_visual_call", { req_key: "jimeng_t2v_v30", body: { prompt: "waves" }, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
  });

  it("an explicit mode overrides the catalog's route (advice), and the vendor's refusal is explained", async () => {
    const r = await h.call("volc_visual_call", { req_key: ROLE, mode: "async", body: { image_url: PHOTO } });
    expect(r.isError).toBe(true);
    expect(lastRequest(v, (q) => q.query.get("Action") === "CVSync2AsyncSubmitTask").json).toMatchObject({ req_key: ROLE });
    expect(text(r)).toMatch(/req_key jimeng_realman_avatar_picture_create_role_omni_v15 not supported/);
    expect(text(r)).toMatch(
      /OmniHuman 1\.5 step 1: subject recognition \(image_url\) \(jimeng_realman_avatar_picture_create_role_omni_v15\) takes mode submit_task; got "async"/,
    );
  });

  it("a synchronous req_key is routed to CVProcess without a mode; a data answer is the result", async () => {
    const before = mark(v);
    const r = await h.call("volc_visual_call", { req_key: "jimeng_realman_avatar_object_detection", body: { image_url: PHOTO } });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", detail: 'result: {"status":1}' });
    expect(actions(before)).toEqual(["CVProcess"]);
  });

  it("sends the req_key exactly as given (no alias mapping) and takes the default async route for unknown keys", async () => {
    const before = mark(v);
    const r = await h.call("volc_visual_call", { req_key: "jimeng_i2v_first_v30_1080p", body: { prompt: "x", image_urls: [PHOTO] } });
    expect(r.isError).toBe(true);
    expect(actions(before)).toEqual(["CVSync2AsyncSubmitTask"]);
    expect(lastRequest(v).json).toMatchObject({ req_key: "jimeng_i2v_first_v30_1080p" });
    expect(text(r)).toMatch(/not supported/);
  });

  it("keeps the API-shape rules: no req_json for CVProcess, one place for images, no second req_key", async () => {
    const before = mark(v);
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "sync", body: {}, req_json: { return_url: true } }))).toMatch(
      /req_json: is for the task modes only/,
    );
    expect(
      text(await h.call("volc_visual_call", { req_key: "jimeng_high_aes_general_v21_L", body: {}, req_json: { return_url: true } })),
      "the catalog's sync route counts too",
    ).toMatch(/req_json: is for the task modes only/);
    expect(text(await h.call("volc_visual_call", { req_key: "x", body: { req_key: "y" } }))).toMatch(
      /body: must not set a different req_key/,
    );
    expect(text(await h.call("volc_visual_call", { req_key: "x", body: { image_urls: [PHOTO] }, images: [PHOTO] }))).toMatch(
      /images: body already has image_urls/,
    );
    expect(before.since()).toHaveLength(0);
  });
});

describe("volc_visual_call (tool behaviour)", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => lastRequest(v, isAction(action)).json as Record<string, unknown>;

  it("volc_visual_call: async without return_url gets base64, decoded to a real image file", async () => {
    const r = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "raw call", width: 1024, height: 1024 },
    });
    const job = jobOf(r);
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
    expect(jobOf(withJson).assets[0]!.url).toMatch(/^http/);
    const sync = await h.call("volc_visual_call", { req_key: "jimeng_high_aes_general_v21_L", mode: "sync", body: { prompt: "raw sync" } });
    expect(jobOf(sync).assets[0]!.mime_type).toBe("image/jpeg");
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "sync", body: {}, req_json: { return_url: true } }))).toMatch(
      /req_json: is for the task modes only/,
    );
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "async", body: { req_key: "y" } }))).toMatch(
      /body: must not set a different req_key/,
    );
    const vendorErr = await h.call("volc_visual_call", { req_key: "unknown_key", mode: "async", body: { prompt: "x" } });
    expect(vendorErr.isError).toBe(true);
    expect(text(vendorErr)).toMatch(/50200.*request id/);
    expect(text(vendorErr)).toMatch(/req_key unknown_key not supported/);
  });
});
