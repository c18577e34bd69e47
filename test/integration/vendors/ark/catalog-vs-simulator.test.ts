/**
 * Every documented capability of every current Ark model, held against the simulator (whose own
 * statement of Ark's rules, sim-models.ts, never reads the catalog): each value the catalog says a
 * model takes must be accepted without advice, and the first value past a documented limit must be
 * refused by the simulated Ark and explained. A wrong catalog entry fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODELS } from "../../../../src/vendors/ark/catalog.js";
import type { Capability } from "../../../../src/vendors/kit/catalog.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

const TOOL: Record<string, string> = { seedream: "seedream_generate_image", seedance: "seedance_generate_video" };
const BASE: Record<string, Record<string, unknown>> = { seedream: { prompt: "a kite" }, seedance: { prompt: "waves", wait_seconds: 0 } };
const EXT: Record<string, string> = { images: "png", reference_images: "png", reference_videos: "mp4", reference_audios: "mp3" };
/** The tool schema's own bounds: values past them never reach Ark. */
const SCHEMA_MAX: Record<string, number> = { images: 14, reference_images: 30, reference_videos: 10, reference_audios: 10, max_images: 15 };

/** What a caller gives for an argument a model does not take (a capability of `false`). */
const GIVEN: Record<string, unknown> = {
  draft_task_id: "cgt-20261130000000-draft",
  first_frame: "https://example.com/first.png",
  last_frame: "https://example.com/last.png",
  thinking: "enabled",
  output_format: "png",
};

const urls = (field: string, n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${field}-${i}.${EXT[field]}`);

/** Values the capability says the model takes, and (when the schema lets it through) the first one past it. */
function probes(field: string, c: Capability): { inside: unknown[]; outside?: unknown } {
  if (typeof c === "number") {
    return { inside: [urls(field, c)], ...(c + 1 <= (SCHEMA_MAX[field] ?? Infinity) ? { outside: urls(field, c + 1) } : {}) };
  }
  if (typeof c === "boolean") {
    const given = GIVEN[field] ?? true;
    return c ? { inside: [given] } : { inside: [], outside: given };
  }
  if (Array.isArray(c)) return { inside: c };
  if (c === "required") return { inside: [GIVEN[field] ?? true] };
  const { min, max } = c;
  return { inside: min === max ? [min] : [min, max], outside: max + 1 <= (SCHEMA_MAX[field] ?? 120) ? max + 1 : undefined };
}

const active = MODELS.filter((m) => m.status === "active");
const cases = active.flatMap((m) =>
  m.endpoints.flatMap((e) => Object.entries({ ...m.capabilities, ...m.byEndpoint?.[e] }).map(([field, c]) => [m.id, e, field, c] as const)),
);

describe("the catalog agrees with the simulated Ark", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("covers every current model of both tools", () => {
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(active.map((m) => m.id)));
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)("%s on %s: %s", async (model, endpoint, field, c) => {
    const { inside, outside } = probes(field, c);
    for (const value of inside) {
      const r = await h.call(TOOL[endpoint]!, { ...BASE[endpoint], model, [field]: value });
      expect(r.isError, `${field}=${JSON.stringify(value)}: ${text(r)}`).toBeFalsy();
      expect(structured<{ warnings?: string[] }>(r).warnings, `${field}=${JSON.stringify(value)}`).toBeUndefined();
    }
    if (outside === undefined) return;
    const before = mark(h.ark);
    const r = await h.call(TOOL[endpoint]!, { ...BASE[endpoint], model, [field]: outside });
    expect(r.isError, `${field}=${JSON.stringify(outside)} should be refused by Ark: ${text(r)}`).toBe(true);
    expect(before.since().length, "the refusal came from Ark, not from aigc-mcp").toBeGreaterThan(0);
    expect(text(r)).toContain(field);
  });
});
