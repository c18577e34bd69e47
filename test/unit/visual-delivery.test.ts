/** Where Volcengine Visual wants the delivery options (return_url, logo, AIGC metadata): req_json for async tasks, the body for CVProcess. */
import { describe, expect, it } from "vitest";
import { placeDelivery } from "../../src/vendors/visual/requests.js";

describe("delivery option placement (vendor rule)", () => {
  const logo = { add: true, position: "top_left" as const, language: "en" as const, opacity: 0.5, text: "mine" };
  const meta = { producer_id: "p-1", content_producer: "acme" };
  it("async: return_url, logo_info and aigc_meta go in req_json, not the body", () => {
    const p = placeDelivery("async", { returnUrl: true, logo, aigcMeta: meta });
    expect(p.bodyFields).toEqual({});
    expect(JSON.parse(p.reqJson!)).toEqual({
      return_url: true,
      logo_info: { add_logo: true, position: 2, language: 1, opacity: 0.5, logo_text_content: "mine" },
      aigc_meta: meta,
    });
  });
  it("sync (CVProcess): they are body fields, aigc_meta as a JSON string", () => {
    const p = placeDelivery("sync", { returnUrl: true, logo, aigcMeta: meta });
    expect(p.reqJson).toBeUndefined();
    expect(p.bodyFields).toEqual({
      return_url: true,
      logo_info: { add_logo: true, position: 2, language: 1, opacity: 0.5, logo_text_content: "mine" },
      aigc_meta: JSON.stringify(meta),
    });
  });
});
