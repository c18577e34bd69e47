/**
 * The Jimeng catalog through the MCP server and the simulator: every current model works through
 * its tool, retired ones are refused before any call, per-model facts advise (or refuse in strict
 * mode), vendor refusals are explained, and a models file adds a model without a code change.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogModel } from "../../../../src/vendors/kit/catalog.js";
import { DEFAULT_MODELS, MODELS } from "../../../../src/vendors/visual/catalog.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";

type SimBody = Record<string, unknown>;

const isTask = (r: { query: URLSearchParams }) => /SubmitTask$|^CVProcess$/.test(r.query.get("Action") ?? "");

describe("Jimeng catalog through the tools", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastTask = () => lastRequest(v, isTask);

  // At least 16 whole generations one after another (about a second each at the simulator's fast
  // timings): the default 20 s left no room, and the test timed out whenever the machine was busy.
  it(
    "runs every active model through each tool family it is listed for, with that family's smallest call",
    { timeout: 90_000 },
    async () => {
      const vendor = h.app.vendors.find((x) => x.id === "visual")!;
      const { catalog, tools } = vendor.models!;
      let runs = 0;
      for (const t of tools) {
        for (const m of catalog!.forEndpoint(t.endpoint).filter((x) => x.status === "active")) {
          const r = await h.call(t.tool, { ...t.sample, model: m.id, wait_seconds: 20 });
          expect(r.isError, `${t.tool} ${t.endpoint} ${m.id}: ${text(r)}`).toBeFalsy();
          expect(jobOf(r).status, `${t.tool} ${m.id}`).toBe("succeeded");
          expect(jobOf(r).warnings, `${t.tool} ${m.id} needs no advice with its family's sample`).toBeUndefined();
          expect((lastTask().json as SimBody).req_key).toBe(m.id);
          runs++;
        }
      }
      expect(runs).toBeGreaterThanOrEqual(16);
    },
  );

  it("each tool family's default is an active catalog model and works without a model argument", async () => {
    const vendor = h.app.vendors.find((x) => x.id === "visual")!;
    for (const t of vendor.models!.tools) {
      expect(MODELS.find((m) => m.id === t.default)?.status, `${t.tool} ${t.endpoint}`).toBe("active");
      const r = await h.call(t.tool, { ...t.sample, wait_seconds: 20 });
      expect(jobOf(r).status, `${t.tool} ${t.endpoint}: ${text(r)}`).toBe("succeeded");
      expect((lastTask().json as SimBody).req_key).toBe(t.default);
    }
  });

  it("accepts the reference's §8 row 12 keys: the correct 1080P image-to-video keys, and 4.6 under either name, each sent as given", async () => {
    const frame = "https://example.com/a.png";
    for (const model of ["jimeng_i2v_first_v30_1080", "jimeng_i2v_first_v30_1080p"]) {
      const r = await h.call("jimeng_generate_video", { model, prompt: "waves", first_frame: frame, wait_seconds: 20 });
      expect(jobOf(r).status, model).toBe("succeeded");
      expect((lastTask().json as SimBody).req_key, "the old spelling is sent as the documented key").toBe("jimeng_i2v_first_v30_1080");
    }
    for (const model of ["jimeng_i2v_first_tail_v30_1080", "jimeng_i2v_first_tail_v30_1080p"]) {
      const r = await h.call("jimeng_generate_video", { model, prompt: "dusk", first_frame: frame, last_frame: frame, wait_seconds: 20 });
      expect(jobOf(r).status, model).toBe("succeeded");
      expect((lastTask().json as SimBody).req_key).toBe("jimeng_i2v_first_tail_v30_1080");
    }
    for (const model of ["jimeng_t2i_v46", "jimeng_seedream46_cvtob"]) {
      const r = await h.call("jimeng_generate_image", { model, prompt: "a lantern", images: [frame], scale: 50, force_single: true });
      expect(jobOf(r), model).toMatchObject({ status: "succeeded", model });
      expect(jobOf(r).warnings, model).toBeUndefined();
      expect(lastTask().json, "each 4.6 key is sent as given, never mapped to the other").toMatchObject({
        req_key: model,
        scale: 50,
        image_urls: [frame],
      });
    }
  });

  it("advises on a call outside the model's documented capabilities, and still sends it", async () => {
    const before = mark(v);
    const r = await h.call("jimeng_generate_image", { model: "jimeng_t2i_v31", prompt: "a kite", size: 4194304, scale: 0.5 });
    const job = jobOf(r);
    expect(job.status).toBe("succeeded");
    expect(job.warnings).toEqual([
      "Jimeng 3.1 text-to-image (jimeng_t2i_v31) does not take size",
      "Jimeng 3.1 text-to-image (jimeng_t2i_v31) takes scale 1-10; got 0.5",
    ]);
    expect(text(r)).toMatch(/\nNote: Jimeng 3\.1 text-to-image \(jimeng_t2i_v31\) does not take size/);
    expect(lastTask().json).toMatchObject({ req_key: "jimeng_t2i_v31", size: 4194304, scale: 0.5 });
    expect(before.since().length).toBeGreaterThan(0);
  });

  it("explains a vendor refusal with the model's documented capability and the models that take the value", async () => {
    const r = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "a storm", duration: 7 });
    expect(r.isError).toBe(true);
    expect((lastTask().json as SimBody).frames).toBe(169);
    expect(text(r)).toMatch(/50200.*frames must be one of 121, 241/);
    expect(text(r)).toMatch(/Jimeng 3\.0 720P text-to-video \(jimeng_t2v_v30\) takes duration 5, 10; got 7\./);
    const missing = await h.call("jimeng_generate_video", { model: "jimeng_i2v_first_v30_1080", first_frame: "https://example.com/a.png" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/Missing Args: prompt/);
    expect(text(missing)).toMatch(/Jimeng 3\.0 1080P first-frame \(jimeng_i2v_first_v30_1080\) needs prompt/);
  });

  it("3.0 Pro takes a first frame without a prompt: the 1080P keys' required prompt is advice, not a rule of the tool", async () => {
    const r = await h.call("jimeng_generate_video", { first_frame: "https://example.com/a.png", wait_seconds: 20 });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: DEFAULT_MODELS.video });
    expect(jobOf(r).warnings).toBeUndefined();
  });

  it("an unknown req_key takes the documented default route (async) and the vendor's verdict", async () => {
    const r = await h.call("jimeng_generate_image", { model: "jimeng_t2i_v99", prompt: "x" });
    expect(r.isError).toBe(true);
    expect(lastTask().query.get("Action")).toBe("CVSync2AsyncSubmitTask");
    expect(text(r)).toMatch(/50200.*unknown model: req_key jimeng_t2i_v99 not supported/);
  });
});

describe("check modes, retirement and the models file", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function modelsFile(content: unknown): string {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, "models.json");
    writeFileSync(file, JSON.stringify(content));
    return file;
  }

  it("AIGC_MCP_MODEL_CHECKS=strict refuses outside the documented capabilities before any call", async () => {
    const h = await startHarness({ env: { AIGC_MCP_MODEL_CHECKS: "strict" } });
    try {
      const before = mark(h.sandbox.visual);
      const r = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "x", first_frame: "https://example.com/a.png" });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(
        /model: Jimeng 3\.0 720P text-to-video \(jimeng_t2v_v30\) is not listed for this endpoint \(video\/i2v_first\)/,
      );
      expect(text(r)).toMatch(/AIGC_MCP_MODEL_CHECKS=strict/);
      const noPrompt = await h.call("jimeng_generate_video", { model: "jimeng_i2v_first_v30", first_frame: "https://example.com/a.png" });
      expect(text(noPrompt)).toMatch(/prompt: .*needs prompt/);
      expect(before.since()).toHaveLength(0);
      const fine = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "x", duration: 10, wait_seconds: 20 });
      expect(jobOf(fine).status).toBe("succeeded");
    } finally {
      await h.close();
    }
  });

  it("refuses a model marked retired with its date and successor, with zero vendor requests, in any check mode", async () => {
    const file = modelsFile({
      visual: [{ id: "jimeng_t2v_v30", status: "retired", statusDate: "2026-12-01", successor: "jimeng_t2v_v30_1080p" }],
    });
    const h = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file } });
    try {
      const before = mark(h.sandbox.visual);
      const r = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "x" });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/jimeng_t2v_v30 was retired by the vendor on 2026-12-01; use jimeng_t2v_v30_1080p/);
      const raw = await h.call("volc_visual_call", { req_key: "jimeng_t2v_v30", body: { prompt: "x" } });
      expect(text(raw)).toMatch(/retired/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it("a model added through AIGC_MCP_MODELS_FILE works through its tool, routed and advised by the file, with no code change", async () => {
    const file = modelsFile({
      visual: [
        {
          id: "jimeng_t2i_v50_flash",
          label: "Jimeng 5.0 Flash",
          endpoints: ["image/t2i", "image/i2i"],
          capabilities: { mode: ["sync"], images: 4, scale: { min: 0, max: 1 } },
        },
      ],
    });
    const h = await startHarness({
      env: { AIGC_MCP_MODELS_FILE: file },
      visual: { extraModels: { jimeng_t2i_v50_flash: { actions: ["sync"], output: "image", images: [0, 4], prompt: "required" } } },
    });
    try {
      const r = await h.call("jimeng_generate_image", { model: "jimeng_t2i_v50_flash", prompt: "a heron", scale: 2 });
      expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "jimeng_t2i_v50_flash" });
      expect(jobOf(r).warnings).toEqual(["Jimeng 5.0 Flash (jimeng_t2i_v50_flash) takes scale 0-1; got 2"]);
      const sent = lastRequest(h.sandbox.visual, isTask);
      expect(sent.query.get("Action"), "the file's mode routes it to CVProcess").toBe("CVProcess");
      expect(sent.json).toMatchObject({ req_key: "jimeng_t2i_v50_flash", prompt: "a heron", return_url: true });
      const listed = structured<{ vendors: Array<{ tools: Array<{ endpoint: string; models: Array<{ id: string }> }> }> }>(
        await h.call("list_models", { vendor: "visual", tool: "jimeng_generate_image" }),
      );
      expect(listed.vendors[0]!.tools.map((t) => t.models.some((m) => m.id === "jimeng_t2i_v50_flash"))).toEqual([true, true]);
    } finally {
      await h.close();
    }
  });

  it("when the vendor no longer knows a model the catalog lists as current, the error says the catalog may be stale", async () => {
    const h = await startHarness({ visual: { retired: ["jimeng_t2i_v31"] } });
    try {
      const r = await h.call("jimeng_generate_image", { model: "jimeng_t2i_v31", prompt: "x" });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/req_key jimeng_t2i_v31 not supported/);
      expect(text(r)).toMatch(/catalog lists jimeng_t2i_v31 as active \(as of 2026-11-30\), so the catalog may be stale/);
    } finally {
      await h.close();
    }
  });
});

describe("the catalog as data", () => {
  it("every entry has dated sources, unique ids and aliases, and a successor that exists when retired", () => {
    const names = MODELS.flatMap((m: CatalogModel) => [m.id, ...(m.aliases ?? [])]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const m of MODELS) {
      expect(m.sources.length, m.id).toBeGreaterThan(0);
      for (const s of m.sources) {
        expect(s.url, m.id).toMatch(/^https:\/\//);
        expect(s.date, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      if (m.status !== "active")
        expect(
          MODELS.some((o) => o.id === m.successor),
          m.id,
        ).toBe(true);
    }
    for (const id of Object.values(DEFAULT_MODELS)) expect(MODELS.find((m) => m.id === id)?.status, id).toBe("active");
  });

  it("the simulator states the vendor's rules itself: it imports neither the catalog nor the adapter's request code", () => {
    for (const file of ["simulator.ts", "simulator-keys.ts"]) {
      const source = readFileSync(new URL(`../../../../src/vendors/visual/${file}`, import.meta.url), "utf8");
      const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
      expect(
        imports.filter((i) => /\/(catalog|models|requests|client|tasks)(\.js)?$/.test(i!)),
        file,
      ).toEqual([]);
    }
  });
});
