/**
 * The Ark catalog through the tools, against the simulator (which has its own statement of the
 * models Ark serves): retired models refused before any call, defaults current, advice instead of
 * local refusals, strict mode, vendor refusals explained, the reference's §8 rows accepted, and
 * models Ark releases before the catalog knows them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODELS, MODELS } from "../../../../src/vendors/ark/catalog.js";
import { ArkClient } from "../../../../src/vendors/ark/client.js";
import type { ExtraModel } from "../../../../src/vendors/ark/sim-models.js";
import { failure } from "../../../helpers/failure.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { type JobResult, jobOf, mark, requestsTo, type RequestMark } from "../../../helpers/results.js";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";

const IMAGE = "seedream_generate_image";
const VIDEO = "seedance_generate_video";
const TOOL_OF: Record<string, string> = { seedream: IMAGE, seedance: VIDEO };
const SAMPLE: Record<string, Record<string, unknown>> = {
  [IMAGE]: { prompt: "a red kite" },
  [VIDEO]: { prompt: "waves", wait_seconds: 20 },
};

/** The JSON bodies the simulator received on a path since `from`. */
function bodies(h: Harness, path: string, from?: RequestMark): Array<Record<string, unknown>> {
  const post = (r: SimRequest) => r.method === "POST" && r.path.endsWith(path);
  return (from ? from.since(post) : requestsTo(h.ark, post)).map((r) => r.json as Record<string, unknown>);
}

function ok(r: CallToolResult): JobResult {
  expect(r.isError, text(r)).toBeFalsy();
  const s = jobOf(r);
  expect(s.status).toBe("succeeded");
  return s;
}

describe("retired models", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const retired = MODELS.filter((m) => m.status === "retired");

  it("are the ones the reference dates, each with a current successor", () => {
    expect(Object.fromEntries(retired.map((m) => [m.id, m.statusDate]))).toEqual({
      "doubao-seedream-4-5-251128": "2026-11-24",
      "doubao-seedream-5-0-260128": "2026-11-24",
      "doubao-seedance-1-5-pro-251215": "2026-11-11",
      "doubao-seedance-1-0-pro-250528": "2026-11-24",
      "doubao-seedance-1-0-pro-fast-251015": "2026-11-24",
    });
    for (const m of retired) expect(MODELS.find((s) => s.id === m.successor)?.status, m.id).toBe("active");
  });

  it.each(retired.flatMap((m) => [m.id, ...(m.aliases ?? [])].map((id) => [id, m] as const)))(
    "%s is refused with its date and successor, before any request to Ark, in both check modes",
    async (id, m) => {
      const strict = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: { AIGC_MCP_MODEL_CHECKS: "strict" } });
      try {
        for (const server of [h, strict]) {
          const before = mark(h.ark);
          const tool = TOOL_OF[m.endpoints[0]!]!;
          const r = await server.call(tool, { ...SAMPLE[tool], model: id });
          expect(r.isError).toBe(true);
          expect(text(r)).toContain(`ModelRetired`);
          expect(text(r)).toContain(`${id} was retired by the vendor on ${m.statusDate}; use ${m.successor}`);
          expect(before.since()).toHaveLength(0);
        }
      } finally {
        await strict.close();
      }
    },
  );

  it("a retiring model still reaches Ark, with a note naming its successor", async () => {
    const r = ok(await h.call(VIDEO, { prompt: "a street", model: "doubao-seedance-1-0-lite-t2v-250428", wait_seconds: 20 }));
    expect(r.warnings).toEqual(["doubao-seedance-1-0-lite-t2v-250428 is being retired; move to doubao-seedance-2-0-mini-260615"]);
  });
});

describe("defaults", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("are current models", () => {
    for (const id of Object.values(DEFAULT_MODELS)) expect(MODELS.find((m) => m.id === id)?.status, id).toBe("active");
  });

  it("single images go to Seedream 5.0 Pro without the group fields, groups to Seedream 4.0 (2026-04-15)", async () => {
    const from = mark(h.ark);
    expect(ok(await h.call(IMAGE, { prompt: "a lighthouse" })).model).toBe(DEFAULT_MODELS.image);
    const group = ok(await h.call(IMAGE, { prompt: "a lighthouse in four seasons", max_images: 4 }));
    expect(group.model).toBe(DEFAULT_MODELS.imageGroup);
    const [single, many] = bodies(h, "/images/generations", from);
    expect(single).toEqual({ model: DEFAULT_MODELS.image, prompt: "a lighthouse", response_format: "url" });
    expect(many).toMatchObject({
      model: DEFAULT_MODELS.imageGroup,
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 4 },
    });
  });

  it("videos go to Seedance 2.0", async () => {
    expect(ok(await h.call(VIDEO, { prompt: "waves", wait_seconds: 20 })).model).toBe(DEFAULT_MODELS.video);
  });

  it("every tool's default works with the tool's sample call, and so does every active model", async () => {
    const tools = h.app.vendors.find((v) => v.id === "ark")!.models!.tools;
    for (const t of tools) {
      const from = mark(h.ark);
      const s = ok(await h.call(t.tool, { ...t.sample, wait_seconds: 20 }));
      expect(s.model).toBe(t.default);
      expect(s.warnings).toBeUndefined();
      expect(bodies(h, t.endpoint === "seedream" ? "/images/generations" : "/tasks", from)[0]?.model).toBe(t.default);
      for (const m of MODELS.filter((x) => x.status === "active" && x.endpoints.includes(t.endpoint))) {
        const r = ok(await h.call(t.tool, { ...t.sample, model: m.id, wait_seconds: 20 }));
        expect(r.warnings, m.id).toBeUndefined();
      }
    }
  });

  it("ARK_IMAGE_MODEL and ARK_VIDEO_MODEL override them; a set ARK_IMAGE_MODEL serves groups too", async () => {
    const custom = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { ARK_IMAGE_MODEL: "doubao-seedream-4-0-20260415", ARK_VIDEO_MODEL: "doubao-seedance-2-0-mini-260615" },
    });
    try {
      expect(ok(await custom.call(IMAGE, { prompt: "x" })).model).toBe("doubao-seedream-4-0-20260415");
      expect(ok(await custom.call(IMAGE, { prompt: "x", max_images: 2 })).model).toBe("doubao-seedream-4-0-20260415");
      expect(ok(await custom.call(VIDEO, { prompt: "x", wait_seconds: 20 })).model).toBe("doubao-seedance-2-0-mini-260615");
    } finally {
      await custom.close();
    }
  });
});

describe("advice instead of local refusals", () => {
  // This simulated Ark already serves 20 s videos on Seedance 2.0, which the catalog does not know yet.
  const longer: ExtraModel[] = [{ id: "doubao-seedance-2-0-260128", kind: "seedance", durations: [4, 20] }];
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ark: { extraModels: longer } });
  });
  afterAll(() => h.close());

  it("a call outside a model's documented capabilities reaches Ark and succeeds with a Note", async () => {
    const before = mark(h.ark);
    const r = await h.call(VIDEO, { prompt: "waves", duration: 20, wait_seconds: 20 });
    const s = ok(r);
    const note = "Seedance 2.0 (doubao-seedance-2-0-260128) takes duration 4-15; got 20";
    expect(s.warnings).toEqual([note]);
    expect(text(r)).toContain(`Note: ${note}`);
    expect(bodies(h, "/tasks", before)[0]).toMatchObject({ duration: 20 });
  });

  it("AIGC_MCP_MODEL_CHECKS=strict refuses it before any request", async () => {
    const strict = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { AIGC_MCP_MODEL_CHECKS: "strict" },
    });
    try {
      const before = mark(h.ark);
      const r = await strict.call(VIDEO, { prompt: "waves", duration: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(
        /duration: Seedance 2\.0 \(doubao-seedance-2-0-260128\) takes duration 4-15; got 20 \(AIGC_MCP_MODEL_CHECKS=strict/,
      );
      expect(before.since()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});

describe("vendor refusals explained with the catalog", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ark: { extraModels: [{ id: "doubao-seedance-2-0-fast-260128", kind: "seedance", status: "Shutdown" }] } });
  });
  afterAll(() => h.close());

  it("a Seedance 400 names the capability and the models that take the value", async () => {
    const before = mark(h.ark);
    const r = await h.call(VIDEO, { prompt: "waves", duration: 25 });
    expect(r.isError).toBe(true);
    expect(before.since()).toHaveLength(1);
    expect(text(r)).toContain("InvalidParameter");
    expect(text(r)).toContain(
      "Seedance 2.0 (doubao-seedance-2-0-260128) takes duration 4-15; got 25 (doubao-seedance-2-5-260628 takes it).",
    );
  });

  it("a Seedream 400 whose takers refuse the rest of the call says what to leave out, not another model", async () => {
    // The group default is JPEG-only; the models that write PNG make single images only.
    const r = await h.call(IMAGE, { prompt: "a story", max_images: 3, output_format: "png" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /does not take output_format \([^)]*take it, but not with max_images as this call has it: no catalogued model takes the call as it is, so leave out output_format or change max_images\)/,
    );
  });

  it("a hint does not offer a model whose entry is silent on an argument the call sets (no known fit)", async () => {
    const r = await h.call(IMAGE, { prompt: "cat", output_format: "png", max_images: 2, model: "doubao-seedream-5-0-pro-260628" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/takes max_images 1; got 2 \([^)]*, but not with output_format as this call has it/);
  });

  it("a Seedream 400 on a group request to a single-image model names the group models", async () => {
    const r = await h.call(IMAGE, { prompt: "a story", model: DEFAULT_MODELS.image, max_images: 3 });
    expect(r.isError).toBe(true);
    const s = jobOf(r);
    expect(s.error?.code).toBe("InvalidParameter");
    // The catalog's explanation is advice: error.hint (the text's "What to do:" line), never inside error.message.
    expect(s.error?.hint).toContain("Seedream 5.0 Pro (doubao-seedream-5-0-pro-260628) takes max_images 1; got 3");
    expect(s.error?.hint).toContain("doubao-seedream-4-0-20260415");
    expect(text(r)).toMatch(/\nWhat to do: .*takes max_images 1; got 3/);
  });

  it("thinking on Seedream 5.0 Flash", async () => {
    const r = await h.call(IMAGE, { prompt: "x", model: "doubao-seedream-5-0-flash-260915", thinking: "enabled" });
    expect(jobOf(r).error?.hint).toContain("Seedream 5.0 Flash (doubao-seedream-5-0-flash-260915) does not take thinking");
  });

  it("a model the catalog lists as current but Ark has shut down: the catalog may be stale", async () => {
    const r = await h.call(VIDEO, { prompt: "waves", model: "doubao-seedance-2-0-fast-260128" });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain("ModelNotOpen");
    expect(text(r)).toMatch(
      /catalog lists doubao-seedance-2-0-fast-260128 as active \(as of \d{4}-\d{2}-\d{2}\), so the catalog may be stale/,
    );
  });
});

describe("the reference's rejected-but-valid rows (§8 rows 8-11, 13, 14) are accepted", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const url = (ext: string, n: number) => Array.from({ length: n }, (_, i) => `https://example.com/ref-${i}.${ext}`);

  it.each([
    ["row 8: Seedance 2.0 at 1080p", { model: "doubao-seedance-2-0-260128", resolution: "1080p" }],
    ["row 8: Seedance 2.0 at 4k", { model: "doubao-seedance-2-0-260128", resolution: "4k" }],
    ["row 9: Seedance 2.5 for 16 s", { model: "doubao-seedance-2-5-260628", duration: 16 }],
    ["row 9: Seedance 2.5 for 30 s", { model: "doubao-seedance-2-5-260628", duration: 30 }],
    ["row 10: Seedance 2.5 with 30 reference images", { model: "doubao-seedance-2-5-260628", reference_images: url("png", 30) }],
    [
      "row 10: Seedance 2.5 with 10 reference videos and 10 audios",
      {
        model: "doubao-seedance-2-5-260628",
        reference_images: url("png", 1),
        reference_videos: url("mp4", 10),
        reference_audios: url("mp3", 10),
      },
    ],
    ["row 11: an asset:// first frame", { first_frame: "asset://asset-20261130-abc" }],
    [
      "row 11: asset:// references",
      { reference_images: ["asset://img-1"], reference_videos: ["asset://vid-1"], reference_audios: ["asset://aud-1"] },
    ],
    ["Seedance 2.5 as mov", { model: "doubao-seedance-2-5-260628", output_format: "mov" }],
  ])("%s", async (_name, args: Record<string, unknown>) => {
    const from = mark(h.ark);
    const s = ok(await h.call(VIDEO, { prompt: "a scene", wait_seconds: 20, ...args }));
    expect(s.warnings).toBeUndefined();
    const sent = bodies(h, "/tasks", from)[0]!;
    const urls = (sent.content as Array<Record<string, { url?: string }>>).flatMap((c) =>
      Object.values(c)
        .map((v) => v?.url)
        .filter(Boolean),
    );
    for (const v of Object.values(args).flat()) if (typeof v === "string" && v.includes("://")) expect(urls).toContain(v);
  });

  it("row 11: asset:// is never read as a local path, on Seedream too", async () => {
    const from = mark(h.ark);
    ok(await h.call(IMAGE, { prompt: "x", images: ["asset://img-7"] }));
    expect(bodies(h, "/images/generations", from)[0]).toMatchObject({ image: "asset://img-7" });
  });

  it("row 13: lowercase size tiers on Seedream 4.0 (2026-04-15) go to Ark as given", async () => {
    const from = mark(h.ark);
    const s = ok(await h.call(IMAGE, { prompt: "x", model: "doubao-seedream-4-0-20260415", size: "2k" }));
    expect(s.warnings).toBeUndefined();
    expect(bodies(h, "/images/generations", from)[0]).toMatchObject({ size: "2k" });
  });

  it("row 14: Seedream 5.0 Lite at 4K, for an account that still has it (models file + an Ark that serves it)", async () => {
    const dir = tempDir();
    const file = join(dir, "models.json");
    writeFileSync(file, JSON.stringify({ ark: [{ id: "doubao-seedream-5-0-260128", status: "active" }] }));
    const lite = await startHarness({
      env: { AIGC_MCP_MODELS_FILE: file },
      ark: { extraModels: [{ id: "doubao-seedream-5-0-260128", kind: "seedream", status: "Active", tiers: ["2K", "3K", "4K"] }] },
    });
    try {
      const s = ok(await lite.call(IMAGE, { prompt: "x", model: "doubao-seedream-5-0-260128", size: "4K" }));
      expect(s.warnings).toBeUndefined();
    } finally {
      await lite.close();
    }
  });

  it("first frame together with reference images reaches Ark, which decides (omni_reference_task_type)", async () => {
    const both = { prompt: "x", first_frame: "https://example.com/f.png", reference_images: ["https://example.com/r.png"] };
    const before = mark(h.ark);
    const refused = await h.call(VIDEO, both);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("InvalidParameter.TaskTypeConstraint");
    expect(before.since()).toHaveLength(1);
    const from = mark(h.ark);
    ok(await h.call(VIDEO, { ...both, omni_reference_task_type: "reference", wait_seconds: 20 }));
    expect(bodies(h, "/tasks", from)[0]).toMatchObject({ omni_reference_task_type: "reference" });
  });

  it("a Seedance 2.5 draft is 480p, and its draft_task_id renders the final video", async () => {
    const from = mark(h.ark);
    const draft = structured<{ vendor_task_id: string }>(
      await h.call(VIDEO, { prompt: "a fox", model: "doubao-seedance-2-5-260628", draft: true, wait_seconds: 20 }),
    );
    expect(bodies(h, "/tasks", from)[0]).toMatchObject({ draft: true, resolution: "480p" });
    ok(
      await h.call(VIDEO, {
        model: "doubao-seedance-2-5-260628",
        draft_task_id: draft.vendor_task_id,
        resolution: "1080p",
        wait_seconds: 20,
      }),
    );
  });
});

describe("models Ark releases before the catalog knows them", () => {
  const next: ExtraModel[] = [{ id: "doubao-seedance-3-0-261201", kind: "seedance", durations: [4, 60] }];

  it("work as given, without advice", async () => {
    const h = await startHarness({ ark: { extraModels: next } });
    try {
      const s = ok(await h.call(VIDEO, { prompt: "x", model: "doubao-seedance-3-0-261201", duration: 45, wait_seconds: 20 }));
      expect(s.warnings).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it("added through AIGC_MCP_MODELS_FILE (the README's example) they are documented, advised on and listed, with no code change", async () => {
    const dir = tempDir();
    const file = join(dir, "models.json");
    const entry = {
      id: "doubao-seedance-3-0-261201",
      label: "Seedance 3.0",
      endpoints: ["seedance"],
      capabilities: { duration: { min: 4, max: 60 } },
    };
    writeFileSync(file, JSON.stringify({ ark: [entry] }));
    const h = await startHarness({ env: { AIGC_MCP_MODELS_FILE: file }, ark: { extraModels: next } });
    try {
      expect(ok(await h.call(VIDEO, { prompt: "x", model: entry.id, duration: 60, wait_seconds: 20 })).warnings).toBeUndefined();
      const r = await h.call(VIDEO, { prompt: "x", model: entry.id, duration: 90 });
      expect(text(r)).toContain("Seedance 3.0 (doubao-seedance-3-0-261201) takes duration 4-60; got 90");
      const listed = structured<{ vendors: Array<{ tools: Array<{ tool: string; models: Array<{ id: string; sources?: string[] }> }> }> }>(
        await h.call("list_models", { vendor: "ark", tool: VIDEO }),
      );
      const m = listed.vendors[0]!.tools[0]!.models.find((x) => x.id === entry.id);
      expect(m?.sources).toEqual([`file://${file}`]);
    } finally {
      await h.close();
    }
  });
});

describe("list_models live: true", () => {
  it("shows Ark's own list, with its status words, next to the catalog", async () => {
    const h = await startHarness();
    try {
      const r = await h.call("list_models", { vendor: "ark", live: true });
      const v = structured<{ vendors: Array<{ live: Array<{ id: string; status?: string; in_catalog: boolean }> }> }>(r).vendors[0]!;
      expect(v.live).toContainEqual({ id: "doubao-seedream-4-5-251128", status: "Shutdown", in_catalog: true });
      expect(v.live).toContainEqual({ id: DEFAULT_MODELS.video, status: "Active", in_catalog: true });
      expect(text(r)).toMatch(/vendor lists \d+ model\(s\): .*doubao-seedance-1-5-pro-251215 \(Shutdown\)/);
    } finally {
      await h.close();
    }
  });
});

describe("Ark's model list (GET /models)", () => {
  it("is read as {data: [{id, status}]}, and any other shape is a bad response", async () => {
    const h = await startHarness();
    try {
      const client = new ArkClient({ apiKey: h.ark.apiKey, baseUrl: h.ark.baseUrl }, 2000);
      const listed = await client.listModels();
      expect(listed).toContainEqual({ id: "doubao-seedance-1-5-pro-251215", status: "Shutdown" });
      expect(listed.map((m) => m.id)).toEqual(expect.arrayContaining(MODELS.map((m) => m.id)));
      h.ark.sim.inject({ kind: "status", status: 200, body: { object: "list", models: [] } });
      expect((await failure(client.listModels())).info).toMatchObject({ category: "bad_response", code: "MalformedResponse" });
    } finally {
      await h.close();
    }
  });
});
