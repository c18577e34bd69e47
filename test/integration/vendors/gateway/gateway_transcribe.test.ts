import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng, makeWav } from "../../../../src/sandbox/media-fixtures.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { itNeverShowsTheKey } from "./helpers.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;

  it("transcribe: a data: URI works, a picture is refused naming the field", async () => {
    const wav = `data:audio/wav;base64,${makeWav({ seconds: 0.5 }).toString("base64")}`;
    const ok = await h.call("gateway_transcribe", { audio: wav });
    expect(ok.isError).toBeFalsy();
    const png = `data:image/png;base64,${makePng(8, 8).toString("base64")}`;
    const bad = await h.call("gateway_transcribe", { audio: png });
    expect(text(bad)).toMatch(/audio: data URI is image\/png; expected audio or video/);
  });

  it("transcribe: an http(s) URL is downloaded here (capped, type-checked) and uploaded", async () => {
    const { speak } = await import("../../../../src/vendors/gateway/simulator-audio.js");
    const url = gw().sim.publish(speak("Downloaded first.", "wav", 1), "audio/wav", 3600, "wav");
    const r = await h.call("gateway_transcribe", { audio: url });
    expect(structured<{ text: string }>(r).text).toBe("Downloaded first.");
    const gone = await h.call("gateway_transcribe", { audio: url.replace(/X-Tos-Signature=[0-9a-f]+/, "X-Tos-Signature=00") });
    expect(gone.isError).toBe(true);
    // One answer for every failed download (the URL fetch policy): no HTTP status, no port state.
    expect(text(gone)).toMatch(/^Error: DownloadFailed: audio: could not download http:\/\/127\.0\.0\.1:\d+\/media\/\w+\.wav\n/);
    // (the URL itself is quoted and its random name may hold "404": look at the rest)
    expect(text(gone).split(url.split("?")[0]!).join("")).not.toMatch(/\b404\b|HTTP/);
    const picture = gw().sim.publish(makePng(16, 16), "image/png", 3600, "png");
    expect(text(await h.call("gateway_transcribe", { audio: picture }))).toMatch(
      /audio: could not download .*expected|audio or video of at most/,
    );
  });

  itNeverShowsTheKey(() => h);
});
