import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  error?: { code: string; message: string };
  assets: Array<{ path: string; mime_type: string; url?: string; expires_at?: string }>;
};

const isAction = (a: string) => (r: { query: URLSearchParams }) => r.query.get("Action") === a;

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => v.sim.requests.filter(isAction(action)).at(-1)!.json as Record<string, unknown>;

  it("jimeng_portrait_photo sends the photo, the beauty controls and gen_mode under the configured req_key", async () => {
    const r = await h.call("jimeng_portrait_photo", {
      image: "https://example.com/me.jpg",
      prompt: "in a garden",
      gen_mode: "creative",
      gpen: 0.5,
      skin: 0.2,
      skin_unifi: 0.3,
      width: 1024,
      height: 1328,
      logo: { add: true },
    });
    expect(structured<Job>(r).status).toBe("succeeded");
    expect(lastBody("CVSync2AsyncSubmitTask")).toEqual({
      req_key: "i2i_portrait_photo",
      image_input: "https://example.com/me.jpg",
      prompt: "in a garden",
      width: 1024,
      height: 1328,
      gpen: 0.5,
      skin: 0.2,
      skin_unifi: 0.3,
      gen_mode: "creative",
    });
    expect(JSON.parse(lastBody("CVSync2AsyncGetResult").req_json as string)).toMatchObject({
      return_url: true,
      logo_info: { add_logo: true },
    });
    const bad = await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gen_mode: "creative" });
    expect(text(bad)).toMatch(/prompt: gen_mode "creative"/);
    expect((await h.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", gpen: 2 })).isError).toBe(true);
  });

  it("VOLC_PORTRAIT_REQ_KEY changes the req_key sent", async () => {
    const other = await startHarness({ existing: { sandbox: h.sandbox, dir: h.dir }, env: { VOLC_PORTRAIT_REQ_KEY: "jimeng_t2i_v46" } });
    try {
      const r = await other.call("jimeng_portrait_photo", { image: "https://example.com/me.jpg", prompt: "x" });
      expect(structured<Job>(r).status).toBe("succeeded");
      expect(lastBody("CVSync2AsyncSubmitTask").req_key).toBe("jimeng_t2i_v46");
    } finally {
      await other.close();
    }
  });
});
