/**
 * The Ark catalog as data: well-formed entries with sources, the statuses and capabilities the
 * 2026-11 reference gives (vendor-updates-2026-11.md §1, §2, §7), current defaults, and a
 * simulator that states Ark's rules on its own.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS, ENDPOINTS, MODELS } from "../../src/vendors/ark/catalog.js";
import { Catalog } from "../../src/vendors/kit/catalog.js";

const catalog = new Catalog("ark", MODELS);
const byId = (id: string) => {
  const m = catalog.find(id);
  if (!m) throw new Error(`${id} is not in the catalog`);
  return m;
};

describe("Ark catalog entries", () => {
  it("have unique ids and aliases, known endpoints, and dated sources", () => {
    const ids = MODELS.flatMap((m) => [m.id, ...(m.aliases ?? [])]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of MODELS) {
      expect(m.endpoints.length, m.id).toBeGreaterThan(0);
      for (const e of m.endpoints) expect(Object.values(ENDPOINTS), m.id).toContain(e);
      expect(m.sources.length, m.id).toBeGreaterThan(0);
      for (const s of m.sources) {
        expect(s.url, m.id).toMatch(/^https:\/\//);
        expect(s.date, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  it("name a successor for every retiring or retired model: a current model of the same endpoint, and a note saying why", () => {
    for (const m of MODELS.filter((x) => x.status !== "active")) {
      const next = byId(m.successor!);
      expect(next.status, m.id).toBe("active");
      expect(next.endpoints, m.id).toEqual(expect.arrayContaining(m.endpoints));
      expect(m.note, m.id).toBeTruthy();
      if (m.status === "retired") expect(m.statusDate, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("default to current models on the right endpoints (issue 10 and the reference's §7)", () => {
    expect(DEFAULT_MODELS).toEqual({
      image: "doubao-seedream-5-0-pro-260628",
      imageGroup: "doubao-seedream-4-0-20260415",
      video: "doubao-seedance-2-0-260128",
    });
    for (const id of [DEFAULT_MODELS.image, DEFAULT_MODELS.imageGroup]) expect(byId(id).endpoints).toEqual([ENDPOINTS.image]);
    expect(byId(DEFAULT_MODELS.video).endpoints).toEqual([ENDPOINTS.video]);
    for (const id of Object.values(DEFAULT_MODELS)) expect(byId(id).status, id).toBe("active");
    // The single-image default cannot make groups; the group default can make up to 15.
    expect(catalog.advise(DEFAULT_MODELS.image, ENDPOINTS.image, { max_images: 2 }).map((a) => a.field)).toEqual(["max_images"]);
    expect(catalog.advise(DEFAULT_MODELS.imageGroup, ENDPOINTS.image, { max_images: 15 })).toEqual([]);
  });

  it("have the statuses the reference gives", () => {
    const status = Object.fromEntries(MODELS.map((m) => [m.id, m.status]));
    expect(status).toMatchObject({
      "doubao-seedream-5-0-pro-260628": "active",
      "doubao-seedream-5-0-flash-260915": "active",
      "doubao-seedream-4-0-20260415": "active",
      "doubao-seedance-2-5-260628": "active",
      "doubao-seedance-2-0-260128": "active",
      "doubao-seedance-2-0-fast-260128": "active",
      "doubao-seedance-2-0-mini-260615": "active",
      "doubao-seedream-4-5-251128": "retired",
      "doubao-seedream-5-0-260128": "retired",
      "doubao-seedance-1-5-pro-251215": "retired",
      "doubao-seedance-1-0-pro-250528": "retired",
      "doubao-seedance-1-0-pro-fast-251015": "retired",
      // "likely retired" in the reference (BytePlus only): retiring, so calls still reach Ark.
      "doubao-seedream-3-0-t2i-250415": "retiring",
      "doubao-seededit-3-0-i2i-250628": "retiring",
      "doubao-seedance-1-0-lite-t2v-250428": "retiring",
      "doubao-seedance-1-0-lite-i2v-250428": "retiring",
    });
    expect(byId("doubao-seedream-5-0-lite-260128").id).toBe("doubao-seedream-5-0-260128");
  });

  it("advise nothing on the values the reference lists as valid (§8 rows 8-10, 13 and the new options)", () => {
    const none = (id: string, endpoint: string, args: Record<string, unknown>) =>
      expect(catalog.advise(id, endpoint, args), `${id} ${JSON.stringify(args)}`).toEqual([]);
    const refs = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}`);
    none("doubao-seedance-2-0-260128", ENDPOINTS.video, { resolution: "1080p" });
    none("doubao-seedance-2-0-260128", ENDPOINTS.video, { resolution: "4k", duration: 15 });
    none("doubao-seedance-2-5-260628", ENDPOINTS.video, { duration: 30, output_format: "mov", draft: true });
    none("doubao-seedance-2-5-260628", ENDPOINTS.video, {
      reference_images: refs(30),
      reference_videos: refs(10),
      reference_audios: refs(10),
    });
    none("doubao-seedance-2-0-mini-260615", ENDPOINTS.video, { reference_images: refs(9), resolution: "720p", duration: 4 });
    none("doubao-seedream-5-0-pro-260628", ENDPOINTS.image, { output_format: "png", thinking: "disabled", prompt_optimization: "fast" });
    none("doubao-seedream-4-0-20260415", ENDPOINTS.image, { size: "4K", max_images: 4, images: refs(11) });
  });

  it("advise on the model facts that used to be local refusals", () => {
    const fields = (id: string, args: Record<string, unknown>) => catalog.advise(id, ENDPOINTS.video, args).map((a) => a.field);
    expect(fields("doubao-seedance-2-0-260128", { draft: true })).toEqual(["draft"]);
    expect(fields("doubao-seedance-2-0-260128", { camera_fixed: true, service_tier: "flex" })).toEqual(["camera_fixed", "service_tier"]);
    expect(fields("doubao-seedance-2-0-fast-260128", { resolution: "1080p" })).toEqual(["resolution"]);
    expect(fields("doubao-seedance-2-0-260128", { duration: 16 })).toEqual(["duration"]);
    expect(catalog.advise("doubao-seedream-5-0-flash-260915", ENDPOINTS.image, { thinking: "enabled" }).map((a) => a.field)).toEqual([
      "thinking",
    ]);
  });
});

describe("the Ark simulator", () => {
  it("states Ark's rules itself: neither it nor its model list imports the catalog, the request builders or the tools", () => {
    for (const file of ["src/vendors/ark/simulator.ts", "src/vendors/ark/sim-models.ts"]) {
      const source = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
      const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
      for (const banned of ["./catalog.js", "./models.js", "./seedance.js", "./seedream.js", "./client.js"]) {
        expect(imports, file).not.toContain(banned);
      }
      expect(
        imports.some((i) => i.includes("/tools/")),
        file,
      ).toBe(false);
    }
  });
});
