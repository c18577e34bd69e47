/** The AI Gateway plugin's tool list. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../helpers/harness.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("lists the five gateway tools", async () => {
    const names = (await h.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["gateway_chat", "gateway_embed", "gateway_rerank", "gateway_transcribe", "gateway_speech"]),
    );
  });
});
