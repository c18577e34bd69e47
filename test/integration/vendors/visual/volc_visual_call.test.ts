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

  it("volc_visual_call: async without return_url gets base64, decoded to a real image file", async () => {
    const r = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "raw call", width: 1024, height: 1024 },
    });
    const job = structured<Job>(r);
    expect(job.status).toBe("succeeded");
    expect(job.assets[0]!.mime_type).toBe("image/jpeg");
    expect(job.assets[0]!.url).toBeUndefined();
    expect(lastBody("CVSync2AsyncGetResult").req_json).toBeUndefined();
    const withJson = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "raw" },
      req_json: { return_url: true },
    });
    expect(structured<Job>(withJson).assets[0]!.url).toMatch(/^http/);
    const sync = await h.call("volc_visual_call", { req_key: "jimeng_high_aes_general_v21_L", mode: "sync", body: { prompt: "raw sync" } });
    expect(structured<Job>(sync).assets[0]!.mime_type).toBe("image/jpeg");
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "sync", body: {}, req_json: { return_url: true } }))).toMatch(
      /req_json: is for async mode only/,
    );
    expect(text(await h.call("volc_visual_call", { req_key: "x", mode: "async", body: { req_key: "y" } }))).toMatch(
      /body: must not set a different req_key/,
    );
    const vendorErr = await h.call("volc_visual_call", { req_key: "unknown_key", mode: "async", body: { prompt: "x" } });
    expect(vendorErr.isError).toBe(true);
    expect(text(vendorErr)).toMatch(/50200.*request id/);
  });
});
