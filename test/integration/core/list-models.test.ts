/** list_models filters: an unknown vendor id or tool is an input error naming what is configured. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import type { ModelList } from "../../helpers/results.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("list_models filters", () => {
  it("an unknown vendor id is refused with the configured ids and their names", async () => {
    const r = await h.call("list_models", { vendor: "jimeng" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/vendor: "jimeng" is not a configured vendor id; configured: .*visual \(Volcengine Visual/);
  });

  it("an unknown tool, or a tool of another vendor, is refused", async () => {
    const unknown = await h.call("list_models", { tool: "nonexistent_tool" });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/tool: "nonexistent_tool" is not a tool of a configured vendor/);
    const other = await h.call("list_models", { vendor: "kling", tool: "seedream_generate_image" });
    expect(text(other)).toMatch(/belongs to vendor ark, not kling/);
  });

  it("a known vendor and tool still answer", async () => {
    const r = await h.call("list_models", { vendor: "visual", tool: "jimeng_generate_image" });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(/jimeng_t2i_v40/);
  });
});

describe("list_models content", () => {
  it("shows every alias a model has, in the text and in structuredContent", async () => {
    const r = await h.call("list_models", {});
    const list = structured<ModelList>(r);
    let seen = 0;
    for (const v of h.app.vendors) {
      for (const m of v.models?.catalog?.models ?? []) {
        if (!m.aliases?.length) continue;
        const shown = list.vendors.find((x) => x.vendor === v.id)!.tools.flatMap((t) => t.models.filter((x) => x.id === m.id));
        expect(shown.length, m.id).toBeGreaterThan(0);
        for (const s of shown) expect(s.aliases, m.id).toEqual(m.aliases);
        expect(text(r)).toContain(`- ${m.id} (also ${m.aliases.join(", ")})`);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(3);
  });
});
