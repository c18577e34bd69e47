/** The Kling plugin's tool list. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../helpers/harness.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  it("lists every Kling tool with the right annotations", async () => {
    const tools = (await h.client.listTools()).tools;
    const kling = tools
      .filter((t) => t.name.startsWith("kling_"))
      .map((t) => t.name)
      .sort();
    expect(kling).toEqual([
      "kling_create_element",
      "kling_delete_element",
      "kling_generate_image",
      "kling_image_to_video",
      "kling_list_elements",
      "kling_multi_image_to_image",
      "kling_multi_image_to_video",
      "kling_omni_image",
      "kling_omni_video",
      "kling_text_to_video",
    ]);
    const by = new Map(tools.map((t) => [t.name, t]));
    expect(by.get("kling_delete_element")!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(by.get("kling_list_elements")!.annotations).toMatchObject({ readOnlyHint: true });
    expect(by.get("kling_omni_video")!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false, openWorldHint: true });
  });
});
