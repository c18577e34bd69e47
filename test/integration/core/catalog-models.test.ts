/**
 * Every model each catalog lists as current, and every tool's default, goes through its tool against
 * the simulators and reaches the vendor: the simulators keep their own model lists (written from the
 * vendor docs, not from the catalogs), so a catalog entry the vendor would refuse fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLUGINS } from "../../../src/plugins.js";
import type { ModelTool } from "../../../src/tools/plugin.js";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/**
 * Vendors with a built-in catalog. Animo's and the gateway's models are the customer's own server's
 * (their defaults come from variables), so they take part below only with the tools they declare.
 */
const MODEL_VENDORS = ["ark", "kling", "visual"];

function cases(): Array<{ vendor: string; tool: ModelTool; model: string; isDefault: boolean }> {
  const out = [];
  for (const v of h.app.vendors) {
    for (const tool of v.models?.tools ?? []) {
      const active = (v.models?.catalog?.forEndpoint(tool.endpoint) ?? []).filter((m) => m.status !== "retired").map((m) => m.id);
      const models = new Set([...active, ...(tool.default ? [tool.default] : [])]);
      for (const model of models) out.push({ vendor: v.id, tool, model, isDefault: model === tool.default });
    }
  }
  return out;
}

describe("catalog models through their tools", () => {
  it("every vendor with models declares its model tools, each with a current default", () => {
    expect(PLUGINS.map((p) => p.id)).toEqual(expect.arrayContaining(MODEL_VENDORS));
    for (const id of MODEL_VENDORS) {
      const v = h.app.vendors.find((x) => x.id === id);
      expect(v?.models?.tools.length, id).toBeGreaterThan(0);
      const tools = v!.models!.tools;
      for (const name of new Set(tools.map((t) => t.tool))) {
        const defaults = tools.filter((t) => t.tool === name && t.default).map((t) => t.default!);
        expect(defaults.length, `${name} has a default`).toBeGreaterThan(0);
        for (const d of defaults) expect(v!.models!.catalog?.find(d)?.status, `${name} default ${d}`).not.toBe("retired");
      }
    }
  });

  it("every current model and every default succeeds at the simulator with its tool's sample call", { timeout: 240_000 }, async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(MODEL_VENDORS.length);
    const failures: string[] = [];
    const { tools } = await h.client.listTools();
    const takesWait = new Set(tools.filter((t) => t.inputSchema.properties?.wait_seconds).map((t) => t.name));
    for (const c of all) {
      let firstError = "";
      for (const sample of [c.tool.sample, ...(c.tool.alternatives ?? [])]) {
        const args = { ...sample, ...(c.isDefault ? {} : { model: c.model }), ...(takesWait.has(c.tool.tool) ? { wait_seconds: 60 } : {}) };
        const result = await h.call(c.tool.tool, args, { timeout: 60_000 });
        const status = result.structuredContent?.status;
        if (!result.isError && (status === undefined || status === "succeeded")) {
          firstError = "";
          if (typeof result.structuredContent?.model === "string") expect(jobOf(result).model).toBe(c.model);
          break;
        }
        firstError ||= text(result).split("\n")[0]!;
      }
      if (firstError) failures.push(`${c.tool.tool} ${c.model}${c.isDefault ? " (default)" : ""}: ${firstError}`);
    }
    expect(failures).toEqual([]);
  });
});
