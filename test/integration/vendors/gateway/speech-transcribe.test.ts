/** gateway_speech and gateway_transcribe together: what one says, the other reads back. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
import { jobOf, mark } from "../../../helpers/results.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;
  it("speech → transcribe round trip: audio embedded and saved, then uploaded as multipart from its media:// URI", async () => {
    const sentence = "The tide comes in at seven.";
    const r = await h.call("gateway_speech", { text: sentence, format: "wav", wait_seconds: 20 });
    expect(r.isError).toBeFalsy();
    const job = jobOf(r);
    expect(job).toMatchObject({ status: "succeeded", vendor: "gateway" });
    expect(job.assets[0]!.mime_type).toBe("audio/wav");
    expect(job.assets[0]!.path!.startsWith(h.dir)).toBe(true);
    const embedded = r.content.find((c) => c.type === "resource");
    expect(embedded).toBeTruthy();

    const before = mark(gw());
    const t = await h.call("gateway_transcribe", { audio: job.assets[0]!.uri, language: "en", prompt: "tides" });
    expect(t.isError).toBeFalsy();
    expect(structured<{ text: string }>(t).text).toBe(sentence);
    const req = before.since()[0]!;
    expect(req.path).toBe("/v1/audio/transcriptions");
    expect(String(req.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);

    for (const format of ["mp3", "opus"] as const) {
      const a = jobOf(await h.call("gateway_speech", { text: `Format ${format}.`, format, wait_seconds: 20 }));
      expect(a.assets[0]!.mime_type).toBe(format === "mp3" ? "audio/mpeg" : "audio/ogg");
      expect(structured<{ text: string }>(await h.call("gateway_transcribe", { audio: a.assets[0]!.uri })).text).toBe(`Format ${format}.`);
    }
  });
});
