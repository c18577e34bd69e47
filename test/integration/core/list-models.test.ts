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
  it("an unknown vendor id is refused with the nearest, the configured ids and their names", async () => {
    const r = await h.call("list_models", { vendor: "jimeng" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /^Error: InvalidInput: vendor: "jimeng" is not a configured vendor id; did you mean visual\? \(configured: .*visual \(Volcengine Visual/,
    );
    expect(text(await h.call("list_models", { vendor: "klnig" }))).toMatch(/vendor id; did you mean kling\? \(configured: /);
    expect(text(await h.call("list_models", { vendor: "midjourney" }))).toMatch(
      /"midjourney" is not a configured vendor id \(configured: /,
    );
  });

  it("matches a vendor id and a tool name in any case", async () => {
    const r = await h.call("list_models", { vendor: "Ark", tool: "Seedream_Generate_Image" });
    expect(text(r)).not.toMatch(/^Error/);
    expect(structured<ModelList>(r).vendors.map((v) => v.vendor)).toEqual(["ark"]);
    expect(structured<ModelList>(r).vendors[0]!.tools.map((t) => t.tool)).toEqual(["seedream_generate_image"]);
  });

  it("an unknown tool, or a tool of another vendor, is refused", async () => {
    const unknown = await h.call("list_models", { tool: "nonexistent_tool" });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/tool: "nonexistent_tool" is not a tool of a configured vendor \(tools\/list shows them\)/);
    // A part of a tool's name, or a misspelling, gets the tool(s) it may mean.
    expect(text(await h.call("list_models", { tool: "seedream" }))).toMatch(
      /^Error: InvalidInput: tool: "seedream" is not a tool of a configured vendor; did you mean seedream_generate_image\? \(tools\/list shows them\)/,
    );
    expect(text(await h.call("list_models", { tool: "kling_txt_to_video" }))).toMatch(/did you mean kling_text_to_video\?/);
    expect(text(await h.call("list_models", { tool: "jimeng" }))).toMatch(/did you mean one of jimeng_\w+, jimeng_\w+/);
    const other = await h.call("list_models", { vendor: "kling", tool: "seedream_generate_image" });
    expect(text(other)).toMatch(/belongs to vendor ark, not kling/);
  });

  it("a known vendor and tool still answer", async () => {
    const r = await h.call("list_models", { vendor: "visual", tool: "jimeng_generate_image" });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(/jimeng_t2i_v40/);
  });

  it("a tool that names its model in another argument lists the catalog's models for it; a tool with none says so", async () => {
    const raw = await h.call("list_models", { tool: "volc_visual_call" });
    expect(raw.isError).toBeFalsy();
    const [entry] = structured<ModelList>(raw).vendors[0]!.tools;
    expect(entry).toMatchObject({ tool: "volc_visual_call", endpoint: "raw", note: expect.stringMatching(/^takes its model as req_key/) });
    expect(entry!.models.map((m) => m.id)).toContain("jimeng_realman_avatar_picture_omni_v15");
    expect(text(raw)).toMatch(/volc_visual_call: default none — takes its model as req_key/);
    const none = await h.call("list_models", { tool: "kling_list_elements" });
    expect(text(none)).toMatch(/^Kling AI \(可灵\) \(kling\): kling_list_elements takes no model argument/);
    expect(structured<ModelList>(none).vendors[0]!.tools).toEqual([]);
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
