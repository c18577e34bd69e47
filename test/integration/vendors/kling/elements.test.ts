/** The element tools together: kling_create_element, kling_list_elements and kling_delete_element. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../../../../src/net/http.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, rejectedBeforeAnyRequest } from "./helpers.js";
import { lastRequest } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);

  it("elements: create, list custom and official, delete", async () => {
    const c = await h.call("kling_create_element", {
      element_name: "Fox",
      element_description: "a red fox",
      frontal_image: PNG,
      refer_images: [JPG],
      tag_ids: ["o_102"],
    });
    expect(c.isError).toBeFalsy();
    const id = structured<{ element: { element_id: string } }>(c).element.element_id;
    expect(id).toMatch(/^\d{19}$/);
    const list = structured<{ elements: Array<{ element_id: string }> }>(await h.call("kling_list_elements", {}));
    expect(list.elements.map((e) => e.element_id)).toContain(id);
    const official = structured<{ source: string; elements: Array<{ owned_by?: string }> }>(
      await h.call("kling_list_elements", { source: "official" }),
    );
    expect(official.elements[0]!.owned_by).toBe("kling");
    const d = await h.call("kling_delete_element", { element_id: id });
    expect(structured(d)).toMatchObject({ element_id: id, deleted: true });
    // Idempotent: Kling answers 404/1203 for an element it does not have; the state asked for holds.
    const again = await h.call("kling_delete_element", { element_id: id });
    expect(again.isError).toBeFalsy();
    expect(structured(again)).toMatchObject({ element_id: id, deleted: false, status: "not_found" });
    expect(text(again)).toMatch(/no element \d+ \(already deleted, or never created.*nothing was deleted/);
    expect(text(again)).not.toMatch(/model name/);
    await rejected(
      "kling_create_element",
      { element_name: "x".repeat(21), element_description: "d", frontal_image: PNG, refer_images: [PNG] },
      /element_name/,
    );
    await rejected(
      "kling_create_element",
      { element_name: "x", element_description: "d", frontal_image: PNG, refer_images: [] },
      /refer_images/,
    );
    await rejected("kling_delete_element", { element_id: "abc" }, /numeric element id/);
  });

  it("a creation whose status cannot be read is no failure: it gives its task id and says not to create it again", async () => {
    const status = (r: { method: string; path: string }) => r.method === "GET" && /advanced-custom-elements\/\w+/.test(r.path);
    h.sandbox.kling.sim.inject({ kind: "status", status: 500, times: 3, match: status });
    const args = { element_name: "Fox", element_description: "a red fox", frontal_image: PNG, refer_images: [JPG], wait_seconds: 30 };
    const r = await h.call("kling_create_element", args);
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(
      /^Kling is still creating the element \(task \w+, submitted; its status could not be read: .*\); kling_list_elements shows it .* It was sent and may be billed: do not create it again\./,
    );
    expect(structured(r)).toMatchObject({ task_id: expect.any(String), status: "submitted" });
    // A status read that hangs ends with the wait budget, not its own 30 s timeout.
    h.sandbox.kling.sim.inject({ kind: "hang", match: status });
    const t0 = Date.now();
    const hung = await h.call("kling_create_element", { ...args, wait_seconds: 2 });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(text(hung)).toMatch(/its status could not be read: the wait budget ended during the status read/);
  });

  it("a failed creation reads as every failure: Error: with the code, task and what to change", async () => {
    const f = await h.call("kling_create_element", {
      element_name: "Fox",
      element_description: "a red fox [fail]",
      frontal_image: PNG,
      refer_images: [JPG],
      wait_seconds: 30,
    });
    expect(f.isError).toBe(true);
    const [first, second] = text(f).split("\n");
    expect(first).toMatch(
      /^Error: TaskFailed \(Kling\): Kling could not create the element \(task \w+\): the reference images did not pass review/,
    );
    expect(second).toMatch(/^What to do: Kling's message says why/);
    expect(structured(f)).toMatchObject({ status: "failed", message: expect.stringMatching(/^Error: TaskFailed/) });
  });

  it("library all: page_size counts both libraries together, and paging skips and repeats nothing", async () => {
    const sim = h.sandbox.kling;
    const oldElement = (name: string) =>
      httpRequest(`${sim.baseUrl}/v1/general/custom-elements`, {
        vendor: "Kling",
        method: "POST",
        headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          element_name: name,
          element_description: "made before",
          element_frontal_image: PNG.split(",")[1],
          element_refer_list: [{ image_url: PNG.split(",")[1] }],
        }),
      });
    for (const name of ["A", "B", "C", "F", "G"]) await oldElement(name);
    for (const name of ["D", "E"])
      await h.call("kling_create_element", { element_name: name, element_description: "d", frontal_image: PNG, refer_images: [JPG] });
    type Listed = { elements: Array<{ element_id: string }>; pending?: unknown[] };
    const list = async (args: Record<string, unknown>) => structured<Listed>(await h.call("kling_list_elements", args));
    for (const source of ["official", "custom"]) {
      const whole = await list({ source, page_size: 500 });
      const ids = whole.elements.map((e) => e.element_id);
      const entries = ids.length + (whole.pending?.length ?? 0);
      expect(entries).toBeGreaterThanOrEqual(4);
      for (const size of [1, 2, 3, 4, 7]) {
        const walked: string[] = [];
        for (let page = 1; page <= Math.ceil(entries / size) + 1; page++) {
          const got = await list({ source, page, page_size: size });
          expect(got.elements.length + (got.pending?.length ?? 0)).toBe(Math.max(0, Math.min(size, entries - (page - 1) * size)));
          walked.push(...got.elements.map((e) => e.element_id));
        }
        expect(walked, `${source}, page_size ${size}`).toEqual(ids);
      }
    }
  });

  it("creates on the current element service (video reference, voice), lists both libraries apart, deletes from the old one too", async () => {
    const sim = h.sandbox.kling;
    const c = await h.call("kling_create_element", {
      element_name: "Host",
      element_description: "a presenter",
      video_url: "https://example.com/host.mp4",
      voice_id: "829824295735410756",
      wait_seconds: 20,
    });
    expect(c.isError).toBeFalsy();
    const post = lastRequest(sim, (q) => q.method === "POST");
    expect(post.path).toBe("/v1/general/advanced-custom-elements");
    expect(post.json).toMatchObject({
      reference_type: "video_refer",
      element_video_list: { refer_videos: [{ video_url: "https://example.com/host.mp4" }] },
      element_voice_id: "829824295735410756",
    });
    const id = structured<{ element: { element_id: string; library: string } }>(c).element.element_id;
    // an element of the old service, made before 2026-02 (straight to Kling's old endpoint)
    const old = await httpRequest(`${sim.baseUrl}/v1/general/custom-elements`, {
      vendor: "Kling",
      method: "POST",
      headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        element_name: "Old",
        element_description: "made before",
        element_frontal_image: PNG.split(",")[1],
        element_refer_list: [{ image_url: PNG.split(",")[1] }],
      }),
    });
    const oldId = /"element_id":(\d+)/.exec(old.text())![1]!;
    type Listed = { elements: Array<{ element_id: string; library: string }> };
    const all = structured<Listed>(await h.call("kling_list_elements", {})).elements;
    expect(all.find((e) => e.element_id === id)?.library).toBe("current");
    expect(all.find((e) => e.element_id === oldId)?.library).toBe("old");
    const currentOnly = structured<Listed>(await h.call("kling_list_elements", { library: "current" })).elements;
    expect(currentOnly.map((e) => e.element_id)).not.toContain(oldId);
    const presets = structured<Listed>(await h.call("kling_list_elements", { source: "official" })).elements;
    expect(new Set(presets.map((e) => e.library))).toEqual(new Set(["current", "old"]));
    expect(sim.sim.requests.some((q) => q.path === "/v1/general/advanced-presets-elements")).toBe(true);
    expect(structured(await h.call("kling_delete_element", { element_id: oldId }))).toMatchObject({ deleted: true });
    expect(structured(await h.call("kling_delete_element", { element_id: id }))).toMatchObject({ deleted: true });
    const after = structured<Listed>(await h.call("kling_list_elements", {})).elements.map((e) => e.element_id);
    expect(after).not.toContain(id);
    expect(after).not.toContain(oldId);
  });
});
