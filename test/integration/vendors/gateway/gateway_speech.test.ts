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

  it("speech: a failed job says what to do once, on its own line and in error.hint, never inside error.message", async () => {
    const r = await h.call("gateway_speech", { text: "hello [fail]", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    const s = r.structuredContent as { message: string; error: { code: string; message: string; hint?: string } };
    expect(s.error).toMatchObject({ code: "InternalError", message: "speech synthesis failed" });
    expect(s.error.hint).toMatch(/^The vendor had an internal problem; try again/);
    expect(s.message).toMatch(/^Error: InternalError \(AI Gateway, HTTP 500, request id \S+\): speech synthesis failed$/);
    expect(text(r)).toMatch(
      /^Error: InternalError \(AI Gateway, HTTP 500, request id \S+\): speech synthesis failed\nWhat to do: The vendor had an internal problem/,
    );
    expect(JSON.stringify(r).match(/What to do/g)).toHaveLength(1);
  });

  itNeverShowsTheKey(() => h);
});
