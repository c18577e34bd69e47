import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { itNeverShowsTheKey } from "./helpers.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("speech: unsupported format and missing voice are clear", async () => {
    const aac = await h.call("gateway_speech", { text: "hi", format: "aac", wait_seconds: 20 });
    expect(aac.isError).toBe(true);
    expect(text(aac)).toMatch(/unsupported_format/);
    const voice = await h.call("gateway_speech", { text: "hi", voice: "nobody", wait_seconds: 20 });
    expect(voice.isError).toBe(true);
  });

  itNeverShowsTheKey(() => h);
});
