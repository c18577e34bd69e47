/** The element tools together: kling_create_element, kling_list_elements and kling_delete_element. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, rejectedBeforeAnyRequest } from "./helpers.js";

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
    const again = await h.call("kling_delete_element", { element_id: id });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/1203/);
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
});
