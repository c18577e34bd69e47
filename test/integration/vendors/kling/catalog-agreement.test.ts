/**
 * The catalog and the simulator are written from Kling's docs independently (the simulator keeps
 * its own model rules and imports nothing of the adapter). Here they must agree: for each current
 * model and probed argument, the catalog has no advice exactly when the simulated Kling accepts the
 * call. A wrong capability in either one fails this test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../../../../src/vendors/kit/catalog.js";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";

const PNG = `data:image/png;base64,${makePng(320, 320, 1).toString("base64")}`;
const IDS = ["9100000000000007919", "9100000000000015838", "9100000000000023757", "9100000000000031676"];
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Probe arguments per tool and catalog endpoint; each is valid in shape for every model. */
const VIDEO_PROBES = [
  ...range(1, 16).map((duration) => ({ duration })),
  ...["std", "pro", "4k"].map((mode) => ({ mode })),
  { sound: true, mode: "pro" },
];
const PROBES: Array<{ tool: string; endpoint: string; base: Record<string, unknown>; probes: Array<Record<string, unknown>> }> = [
  {
    tool: "kling_text_to_video",
    endpoint: "videos/text2video",
    base: { prompt: "a fox" },
    probes: [...VIDEO_PROBES, { multi_shot: true, shot_type: "customize", multi_prompt: [{ prompt: "a", duration: 5 }], duration: 5 }],
  },
  { tool: "kling_text_to_video", endpoint: "text-to-video", base: { prompt: "a fox" }, probes: VIDEO_PROBES },
  {
    tool: "kling_image_to_video",
    endpoint: "videos/image2video",
    base: { image: PNG },
    probes: [
      ...VIDEO_PROBES,
      { image_tail: PNG, mode: "pro" },
      ...[1, 2, 3, 4].map((n) => ({ element_ids: IDS.slice(0, n) })),
      { voice_ids: ["v1"], sound: true, mode: "pro" },
      { voice_ids: ["v1", "v2"], sound: true, mode: "pro" },
    ],
  },
  {
    tool: "kling_image_to_video",
    endpoint: "image-to-video",
    base: { image: PNG },
    probes: [
      ...VIDEO_PROBES,
      { image_tail: PNG, mode: "pro" },
      ...[1, 3, 4].map((n) => ({ element_ids: IDS.slice(0, n) })),
      { voice_ids: ["v1", "v2"], sound: true, mode: "pro" },
    ],
  },
  {
    tool: "kling_omni_video",
    endpoint: "videos/omni-video",
    base: { prompt: "a fox", aspect_ratio: "16:9", images: [{ image: PNG }] },
    probes: VIDEO_PROBES,
  },
  {
    tool: "kling_generate_image",
    endpoint: "images/generations",
    base: { prompt: "a cat" },
    probes: [
      { resolution: "1k" },
      { resolution: "2k" },
      { resolution: "4k" },
      { image: PNG, image_reference: "subject" },
      { image: PNG, image_fidelity: 0.7 },
      { element_ids: IDS.slice(0, 2) },
    ],
  },
  {
    tool: "kling_omni_image",
    endpoint: "images/omni-image",
    base: { prompt: "a cat" },
    probes: [
      { resolution: "2k" },
      { resolution: "4k" },
      { result_type: "series", series_amount: 3 },
      { result_type: "series", series_auto: true },
    ],
  },
];

describe("Kling catalog and simulator agree", () => {
  let h: Harness;
  let catalog: Catalog;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 10_000, maxParallelImage: 10_000 } });
    catalog = h.app.vendors.find((v) => v.id === "kling")!.models!.catalog!;
  });
  afterAll(() => h.close());

  it("on every probed argument of every current model", async () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const p of PROBES) {
      for (const m of catalog.forEndpoint(p.endpoint).filter((x) => x.status === "active")) {
        for (const probe of p.probes) {
          const args = { ...p.base, ...probe, model: m.id };
          const advice = catalog.advise(m.id, p.endpoint, args).map((a) => a.message);
          const r = await h.call(p.tool, { ...args, wait_seconds: 0 });
          if (r.isError && !/\b1201\b/.test(text(r)))
            throw new Error(`${p.tool} ${m.id} ${JSON.stringify(probe)} failed before Kling: ${text(r)}`);
          if (Boolean(r.isError) !== advice.length > 0)
            disagreements.push(
              `${p.tool} ${m.id} ${JSON.stringify(probe).slice(0, 80)}: catalog ${advice.length ? `advises "${advice.join("; ")}"` : "accepts"}, Kling ${r.isError ? `refuses (${text(r).split("\n")[0]})` : "accepts"}`,
            );
          checked++;
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  }, 120_000);
});
