/** The catalog kit: capability advice, retired-model refusal, refusal explanations and the models file. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { AigcError } from "../../src/errors.js";
import { Catalog, fits, type CatalogModel } from "../../src/vendors/kit/catalog.js";
import { mergeModels, type ModelOverride } from "../../src/vendors/kit/merge-models.js";
import { loadModelsFile, unusedCapabilities, withModelsFile } from "../../src/vendors/kit/models-file.js";
import { tempDir } from "../helpers/harness.js";

const SOURCE = { url: "https://vendor.example/docs", date: "2026-11-30" };
const MODELS: CatalogModel[] = [
  {
    id: "v3",
    label: "Video 3",
    aliases: ["v3-latest"],
    endpoints: ["t2v", "i2v"],
    status: "active",
    capabilities: { duration: { min: 3, max: 15 }, mode: ["std", "pro", "4k"], sound: true, images: 4 },
    byEndpoint: { i2v: { duration: [5, 10] } },
    sources: [SOURCE],
  },
  {
    id: "v2",
    label: "Video 2",
    endpoints: ["t2v"],
    status: "retiring",
    statusDate: "2027-01-01",
    successor: "v3",
    capabilities: { duration: [5, 10], sound: false },
    sources: [SOURCE],
  },
  {
    id: "v1",
    label: "Video 1",
    endpoints: ["t2v"],
    status: "retired",
    statusDate: "2026-09-15",
    successor: "v3",
    capabilities: {},
    sources: [SOURCE],
  },
];
const catalog = new Catalog("demo", MODELS);

describe("capabilities", () => {
  it("fit values by kind: yes/no, count limit, allowed values, range", () => {
    expect(fits(false, true)).toBe(false);
    expect(fits(false, false)).toBe(true);
    expect(fits(false, [])).toBe(true);
    expect(fits(2, ["a", "b", "c"])).toBe(false);
    expect(fits(["5", "10"], 10)).toBe(true);
    expect(fits([5, 10], "7")).toBe(false);
    expect(fits({ min: 3, max: 15 }, "7")).toBe(true);
    expect(fits({ min: 3, max: 15 }, 16)).toBe(false);
    expect(fits({ min: 3, max: 15 }, undefined)).toBe(true);
  });

  it("advise per endpoint, and say nothing about unknown models", () => {
    expect(catalog.advise("v3", "t2v", { duration: 7, mode: "4k" })).toEqual([]);
    expect(catalog.advise("v3", "i2v", { duration: 7 }).map((a) => a.message)).toEqual(["Video 3 (v3) takes duration 5, 10; got 7"]);
    expect(catalog.advise("v3-latest", "t2v", { images: ["a", "b", "c", "d", "e"] })[0]?.message).toBe(
      "Video 3 (v3) takes at most 4 images",
    );
    expect(catalog.advise("v2", "t2v", { sound: true }).map((a) => a.message)).toEqual([
      "Video 2 (v2) does not take sound",
      "v2 is being retired on 2027-01-01; move to v3",
    ]);
    expect(catalog.advise("brand-new", "t2v", { duration: 99 })).toEqual([]);
  });
});

describe("checks", () => {
  it("refuse a retired model with its date and successor, in any mode, and never substitute", () => {
    for (const mode of ["advise", "strict"] as const) {
      const e = (() => {
        try {
          catalog.check("v1", "t2v", {}, mode);
        } catch (err) {
          return err as AigcError;
        }
      })();
      expect(e?.info).toMatchObject({ category: "invalid_input", code: "ModelRetired", vendor: "demo" });
      expect(e?.message).toBe("model: v1 was retired by the vendor on 2026-09-15; use v3 instead");
    }
  });

  it("advise by default and refuse only in strict mode", () => {
    expect(catalog.check("v3", "i2v", { duration: 7 }, "advise")).toEqual(["Video 3 (v3) takes duration 5, 10; got 7"]);
    expect(() => catalog.check("v3", "i2v", { duration: 7 }, "strict")).toThrow(
      /duration: Video 3 \(v3\) takes duration 5, 10; got 7.*strict/,
    );
  });

  it("explain a vendor's parameter refusal with the capability and the models that take the value", () => {
    const err = new AigcError({ category: "invalid_input", code: "1201", message: "duration not supported", hint: "Change it." });
    catalog.explain(err, "v2", "t2v", { duration: 7 });
    expect(err.info.hint).toBe(
      "Change it. Video 2 (v2) takes duration 5, 10; got 7 (v3 takes it). v2 is being retired on 2027-01-01; move to v3.",
    );
  });

  it("name, among the models that take the value, those that take the rest of the call too, or what to leave out", () => {
    // v3 takes duration 7 but not sound "loud": following "(v3 takes it)" would only bring the next refusal
    const clash = new AigcError({ category: "invalid_input", code: "1201", message: "duration not supported" });
    catalog.explain(clash, "v2", "t2v", { duration: 7, mode: "8k" });
    expect(clash.info.hint).toBe(
      "Video 2 (v2) takes duration 5, 10; got 7 (v3 takes it, but not with mode as this call has it: no catalogued model takes the call as it is, so leave out duration or change mode). v2 is being retired on 2027-01-01; move to v3.",
    );
    const fine = new AigcError({ category: "invalid_input", code: "1201", message: "duration not supported" });
    catalog.explain(fine, "v2", "t2v", { duration: 7, mode: "pro" });
    expect(fine.info.hint).toMatch(/got 7 \(v3 takes it\)\./);
  });

  it("say the catalog may be stale when the vendor does not know a model it lists as current", () => {
    const err = new AigcError({ category: "not_found", code: "ModelNotFound", message: "no such model" });
    catalog.explain(err, "v3", "t2v", {});
    expect(err.info.hint).toMatch(/lists v3 as active \(as of 2026-11-30\).*AIGC_MCP_MODELS_FILE/);
    const other = new AigcError({ category: "not_found", code: "ModelNotFound", message: "no such model" });
    catalog.explain(other, "unknown", "t2v", {});
    expect(other.info.hint).toBeUndefined();
  });
});

describe("models file", () => {
  it("adds a model, changes a capability and marks one retired, recording itself as a source", () => {
    const file = { url: "file:///models.json", date: "2026-12-01" };
    const merged = mergeModels(
      MODELS,
      [
        { id: "v9", endpoints: ["t2v"], capabilities: { duration: { min: 4, max: 60 } } },
        { id: "v3-latest", capabilities: { duration: { min: 3, max: 20 } } },
        { id: "v2", status: "retired", statusDate: "2026-12-01" },
      ],
      file,
    );
    const c = new Catalog("demo", merged);
    expect(c.advise("v9", "t2v", { duration: 45 })).toEqual([]);
    expect(c.find("v3")?.capabilities).toMatchObject({ duration: { min: 3, max: 20 }, mode: ["std", "pro", "4k"] });
    expect(c.find("v3")?.sources).toEqual([SOURCE, file]);
    expect(() => c.assertNotRetired("v2")).toThrow(/retired by the vendor on 2026-12-01; use v3/);
    expect(MODELS[1]!.status).toBe("retiring");
  });

  it("a model-wide capability from the file holds on every endpoint; a per-endpoint one changes only its key there", () => {
    const file = { url: "file:///models.json", date: "2026-12-01" };
    // v3's built-in i2v durations are [5, 10]: a file's model-wide range must not stay hidden behind them.
    const wide = new Catalog("demo", mergeModels(MODELS, [{ id: "v3", capabilities: { duration: { min: 3, max: 20 } } }], file));
    expect(wide.advise("v3", "i2v", { duration: 18 })).toEqual([]);
    expect(wide.advise("v3", "t2v", { duration: 18 })).toEqual([]);
    expect(wide.summary(wide.find("v3")!, "i2v")).toMatch(/duration: 3-20/);
    const perEndpoint = new Catalog(
      "demo",
      mergeModels(MODELS, [{ id: "v3", byEndpoint: { i2v: { sound: false }, t2v: { duration: [4, 8] } } }], file),
    );
    const v3 = perEndpoint.find("v3")!;
    expect(perEndpoint.capabilities(v3, "i2v")).toMatchObject({ duration: [5, 10], sound: false, mode: ["std", "pro", "4k"] });
    expect(perEndpoint.capabilities(v3, "t2v")).toMatchObject({ duration: [4, 8], sound: true });
  });

  it("a vendor's not-found for a model only the file describes points at the file, not at a stale catalog", () => {
    const c = new Catalog(
      "demo",
      mergeModels(MODELS, [{ id: "v9", endpoints: ["t2v"], capabilities: {} }], { url: "file:///m.json", date: "2026-12-01" }),
    );
    const err = new AigcError({ category: "not_found", code: "ModelNotFound", message: "no such model" });
    c.explain(err, "v9", "t2v", {});
    expect(err.info.hint).toMatch(/v9 comes from your models file \(\/m\.json\), not from aigc-mcp's catalog: check the id for a typo/);
    expect(err.info.hint).not.toMatch(/stale/);
  });

  it("loads a valid file and stops with one line naming a bad entry", async () => {
    const dir = tempDir();
    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({
        ark: [{ id: "doubao-seedance-3-0-261201", endpoints: ["seedance"], capabilities: { duration: { min: 4, max: 60 } } }],
      }),
    );
    const loaded = await loadModelsFile(good, ["ark", "kling"]);
    expect(withModelsFile(new Catalog("ark", []), loaded).find("doubao-seedance-3-0-261201")?.capabilities).toEqual({
      duration: { min: 4, max: 60 },
    });

    const cases: Array<[unknown, RegExp]> = [
      [{ nope: [] }, /"nope" is not a vendor id \(ark, kling\)/],
      [{ ark: [{ id: "x", status: "gone" }] }, /bad\.json: ark entry 0 \(id "x"\), field status: /],
      [{ kling: [{ id: "x", capabilities: { duration: "long" } }] }, /bad\.json: kling entry 0 \(id "x"\), field capabilities\.duration: /],
      [{ ark: [{ id: "x", colour: "red" }] }, /ark entry 0 \(id "x"\), field colour: is not a field of an entry/],
      [{ ark: [{ id: "a" }, { id: "x", sucessor: "y" }] }, /ark entry 1 \(id "x"\), field sucessor: .*did you mean successor\?/],
      [{ ark: { id: "x" } }, /bad\.json: ark: must be a list of model entries/],
      [{ ark: [{ id: "x", aliases: "y" }] }, /bad\.json: ark entry 0 \(id "x"\), field aliases: must be a list, got string/],
      [[1, 2], /must be an object keyed by vendor id/],
    ];
    for (const [content, message] of cases) {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify(content));
      const err = await loadModelsFile(bad, ["ark", "kling"]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^AIGC_MCP_MODELS_FILE: /);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain("\n");
    }
    await expect(loadModelsFile(join(dir, "missing.json"), ["ark"])).rejects.toThrow(/does not exist/);
    // Not JSON: where and what JSON expects, never the file's bytes (a secret named by mistake would reach the log).
    const notJson = join(dir, "hostname");
    writeFileSync(notJson, "ark-secret\n");
    await expect(loadModelsFile(notJson, ["ark"])).rejects.toThrow(
      /^AIGC_MCP_MODELS_FILE: \S+hostname is not valid JSON: line 1, column 1: found what starts no JSON value \(JSON expects \{, \[, a string in double quotes, a number, true, false or null\)$/,
    );
    // A key written twice: JSON.parse would keep the second and drop the first without a word.
    const twice = join(dir, "twice.json");
    writeFileSync(twice, '{\n  "ark": [{ "id": "a" }],\n  "kling": [],\n  "ark": [{ "id": "b" }]\n}\n');
    await expect(loadModelsFile(twice, ["ark", "kling"])).rejects.toThrow(
      /^AIGC_MCP_MODELS_FILE: .*twice\.json: "ark" is written twice \(the second time on line 4\); merge the two into one$/,
    );
    writeFileSync(twice, '{"ark": [{ "id": "a", "endpoints": ["t2v"], "id": "b" }]}');
    await expect(loadModelsFile(twice, ["ark"])).rejects.toThrow(/"ark\.0\.id" is written twice \(the second time on line 1\)/);
    const file = { url: "file:///etc/models.json", date: "2026-11-30" };
    expect(() =>
      withModelsFile(new Catalog("ark", []), {
        models: { ark: [{ id: "ok", endpoints: ["t2v"] }, { id: "new-without-endpoints" }] },
        source: file,
      }),
    ).toThrow(
      /^AIGC_MCP_MODELS_FILE: \/etc\/models\.json: ark entry 1 \(id "new-without-endpoints"\), field endpoints: .*needs "endpoints"/,
    );
  });

  it("refuses a byEndpoint or priceByEndpoint key that is not one of the model's endpoints, with the nearest one", () => {
    const file = { url: "file:///etc/models.json", date: "2026-11-30" };
    const with_ = (entries: ModelOverride[]) => () =>
      withModelsFile(new Catalog("demo", MODELS), { models: { demo: entries }, source: file });
    expect(with_([{ id: "v3", byEndpoint: { i2vv: { sound: false } } }])).toThrow(
      /^AIGC_MCP_MODELS_FILE: \/etc\/models\.json: demo entry 0 \(id "v3"\), field byEndpoint\.i2vv: v3 has no endpoint i2vv; did you mean i2v\? \(its endpoints: t2v, i2v\)$/,
    );
    expect(
      with_([{ id: "v9", endpoints: ["t2v"], priceByEndpoint: { i2v: { unit: "second", amount: 1, currency: "CNY" } } as never }]),
    ).toThrow(/field priceByEndpoint\.i2v: v9 has no endpoint i2v/);
    expect(with_([{ id: "v3-latest", byEndpoint: { i2v: { sound: false } } }])().find("v3")?.byEndpoint?.i2v).toMatchObject({
      sound: false,
    });
  });

  it("refuses a successor that names a model neither the catalog nor the file has, naming file, entry and field", () => {
    const file = { url: "file:///etc/models.json", date: "2026-11-30" };
    const with_ = (entries: ModelOverride[]) => () =>
      withModelsFile(new Catalog("demo", MODELS), { models: { demo: entries }, source: file });
    expect(with_([{ id: "v3", status: "retired", successor: "v4" }])).toThrow(
      /^AIGC_MCP_MODELS_FILE: \/etc\/models\.json: demo entry 0 \(id "v3"\), field successor: v4 is not a model of demo; did you mean v3\?/,
    );
    expect(with_([{ id: "v2", retiredOn: { t2v: { successor: "nowhere" } } }])).toThrow(
      /field retiredOn\.t2v\.successor: nowhere is not a model/,
    );
    // A successor the file itself adds, or an alias, is fine.
    expect(
      with_([
        { id: "v3", successor: "v4" },
        { id: "v4", endpoints: ["t2v"] },
      ]),
    ).not.toThrow();
    expect(with_([{ id: "v2", successor: "v3-latest" }])).not.toThrow();
  });

  it("warns of a capability no tool argument has (never checked), with the nearest argument; not for a vendor whose check sees any name", () => {
    const file = {
      models: {
        demo: [
          { id: "v3", capabilities: { duraton: { min: 1, max: 9 }, sound: true } },
          { id: "v2", byEndpoint: { t2v: { mode: ["std"], sond: false } } },
        ],
      },
      source: { url: "file:///etc/models.json", date: "2026-11-30" },
    };
    const args = new Set(["prompt", "duration", "sound", "mode"]);
    expect(unusedCapabilities(file, "demo", args)).toEqual([
      `AIGC_MCP_MODELS_FILE: /etc/models.json: demo entry 0 (id "v3"), field capabilities.duraton: no demo tool's model check sees an argument duraton, so this capability is never checked; did you mean duration?`,
      `AIGC_MCP_MODELS_FILE: /etc/models.json: demo entry 1 (id "v2"), field byEndpoint.t2v.sond: no demo tool's model check sees an argument sond, so this capability is never checked; did you mean sound?`,
    ]);
    expect(unusedCapabilities(file, "demo", "any")).toEqual([]);
    expect(unusedCapabilities(file, "other", args)).toEqual([]);
    expect(unusedCapabilities(undefined, "demo", args)).toEqual([]);
  });
});
