import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { loadPricesFile } from "../../src/vendors/kit/prices-file.js";
import { PLUGINS } from "../../src/plugins.js";
import { startHarness, tempDir } from "../helpers/harness.js";

function file(content: unknown): string {
  const path = join(tempDir("aigc-prices-"), "prices.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const perImage = { model: "*", currency: "CNY", unit: "image", amount: 0.2 };
const perSecond = { model: "*", currency: "CNY", unit: "second", amount: 0.5 };

describe("AIGC_MCP_PRICES_FILE", () => {
  it("refuses a model priced twice on the same endpoint (only the first would count), naming both entries and the way out", async () => {
    const path = file({ visual: [perImage, perSecond] });
    const load = loadPricesFile(path, ["visual"]);
    await expect(load).rejects.toBeInstanceOf(ConfigError);
    await expect(loadPricesFile(path, ["visual"])).rejects.toThrow(
      /^AIGC_MCP_PRICES_FILE: .*prices\.json: visual entry 1: model "\*" is priced already by entry 0, and only the first would count; .*give each entry its "endpoint"/,
    );
  });

  it("a file that is not JSON is refused by line, column and what JSON expects there, never quoting the file (it may be a secret named by mistake)", async () => {
    const dir = tempDir("aigc-prices-");
    const secret = join(dir, "token");
    writeFileSync(secret, "vm-secret-value\n");
    const err = (await loadPricesFile(secret, ["visual"]).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `AIGC_MCP_PRICES_FILE: ${secret} is not valid JSON: line 1, column 1: found what starts no JSON value (JSON expects {, [, a string in double quotes, a number, true, false or null)`,
    );
    const trailing = join(dir, "trailing.json");
    writeFileSync(trailing, '{\n  "visual": [\n    {"model": "*", "note": "s3cr3t"},\n  ]\n}\n');
    const second = (await loadPricesFile(trailing, ["visual"]).catch((e: unknown) => e)) as Error;
    expect(second.message).toMatch(
      /trailing\.json is not valid JSON: line 4, column 3: expected a value \(JSON allows no comma after the last item\)$/,
    );
    expect(second.message).not.toMatch(/s3cr3t|model/);
    writeFileSync(trailing, "");
    await expect(loadPricesFile(trailing, ["visual"])).rejects.toThrow(/trailing\.json is not valid JSON: the file is empty$/);
  });

  it("takes the same model priced per endpoint, and the same entry for two vendors", async () => {
    const path = file({
      visual: [
        { ...perImage, endpoint: "image/t2i" },
        { ...perSecond, endpoint: "video/t2v" },
      ],
      animo: [perSecond],
    });
    const prices = await loadPricesFile(path, ["visual", "animo"]);
    expect(prices.entries.visual).toHaveLength(2);
    expect(prices.entries.animo).toHaveLength(1);
  });

  it("trims model ids and endpoints as calls' model ids are, so a stray space still matches (and still counts as a duplicate)", async () => {
    const prices = await loadPricesFile(file({ ark: [{ ...perImage, model: " doubao-seedream-5-0-pro-260628 " }] }), ["ark"]);
    expect(prices.entries.ark![0]!.model).toBe("doubao-seedream-5-0-pro-260628");
    await expect(loadPricesFile(file({ visual: [perImage, { ...perSecond, model: " * " }] }), ["visual"])).rejects.toThrow(
      /entry 1: model "\*"/,
    );
  });

  it("refuses an endpoint the vendor's prices are never looked up under, naming the closest and the vendor's list", async () => {
    const endpoints = Object.fromEntries(PLUGINS.map((p) => [p.id, p.priceEndpoints]));
    const ids = PLUGINS.map((p) => p.id);
    const path = file({ ark: [{ ...perImage, endpoint: "seedreem" }] });
    await expect(loadPricesFile(path, ids, endpoints)).rejects.toThrow(
      /^AIGC_MCP_PRICES_FILE: .*prices\.json: ark entry 0: endpoint "seedreem" is none of ark's, so this price would never be used; did you mean "seedream"\? \(ark's: seedream, seedance;/,
    );
    // Every endpoint a tool prices under is accepted, Kling's element creation's too.
    const ok = file({
      kling: [
        { ...perImage, endpoint: "images/generations" },
        { ...perImage, model: "element", unit: "item", endpoint: "general/advanced-custom-elements" },
      ],
      gateway: [{ model: "qwen-plus", currency: "CNY", unit: "million_tokens", amount: 1, endpoint: "chat/completions" }],
      animo: [{ ...perSecond, endpoint: "video/generation" }],
      visual: [{ ...perImage, endpoint: "raw" }],
    });
    expect(Object.keys((await loadPricesFile(ok, ids, endpoints)).entries)).toHaveLength(4);
  });
});

describe("each vendor's price endpoints", () => {
  it("hold every endpoint its tools name in list_models", async () => {
    const h = await startHarness({ env: { ANIMO_MODE: "async" } });
    try {
      for (const v of h.app.vendors) {
        const declared = PLUGINS.find((p) => p.id === v.id)!.priceEndpoints;
        for (const t of v.models?.tools ?? []) expect(declared, `${v.id} ${t.tool}`).toContain(t.endpoint);
      }
    } finally {
      await h.close();
    }
  });
});
