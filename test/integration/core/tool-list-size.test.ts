/**
 * Issue 12 item 16: the tool list (name + description + inputSchema of every tool, as JSON) is sent
 * with every model request. With every vendor configured it must stay under TARGET (24 000
 * characters); CEILING is the size reached, lowered with each cut so the list cannot grow back
 * unnoticed. Issue 14 added `max_cost` and `idempotency_key` to every paid tool and the cost toolset
 * (estimate_cost, get_budget); the room came from bounds that only validate (src/tools/bounds.ts)
 * and shorter descriptions.
 * What every tool shares (media input forms, wait_seconds, delivery, model) is said once, in the
 * server instructions, instead of in every field.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_REF_HELP } from "../../../src/tools/media-inputs.js";
import { startHarness, type Harness } from "../../helpers/harness.js";

const CEILING = 23_910;
const TARGET = 24_000;

describe("tool list size", () => {
  let h: Harness;
  let tools: Tool[];
  let total: number;
  beforeAll(async () => {
    h = await startHarness();
    tools = (await h.client.listTools()).tools;
    const sizes = tools.map((t) => ({
      name: t.name,
      chars: JSON.stringify({ name: t.name, description: t.description, inputSchema: t.inputSchema }).length,
    }));
    total = sizes.reduce((n, s) => n + s.chars, 0);
    console.log(
      [
        ...sizes.sort((a, b) => b.chars - a.chars).map((s) => `${String(s.chars).padStart(6)}  ${s.name}`),
        `${total} characters in ${tools.length} tools (target ${TARGET}, ceiling ${CEILING})`,
      ].join("\n"),
    );
  });
  afterAll(() => h.close());

  it("lists every vendor's tools (the size is measured with all of them)", () => {
    for (const id of ["ark", "kling", "visual", "animo", "gateway"]) expect(h.app.vendors.map((v) => v.id)).toContain(id);
    expect(tools.length).toBe(h.app.vendors.flatMap((v) => v.tools).length + 7);
  });

  it(`stays under ${TARGET} characters with every vendor configured`, () => {
    expect(total).toBeLessThan(TARGET);
  });

  it("does not grow back above the size reached (CEILING)", () => {
    expect(total).toBeLessThanOrEqual(CEILING);
  });

  it("says what every tool shares once, in the server instructions, and not in each field", () => {
    const instructions = h.client.getInstructions() ?? "";
    expect(instructions).toContain(MEDIA_REF_HELP);
    expect(instructions).toMatch(/wait up to wait_seconds \(default \d+, at most \d+\).*call wait_for_job/s);
    expect(instructions).toMatch(/delivery .*embed = .*link = .*preview = .*AIGC_MCP_DELIVERY/s);
    expect(instructions).toMatch(/model: leave it out for the tool's default; list_models/);
    const fields = JSON.stringify(tools.map((t) => t.inputSchema));
    for (const repeated of ["data: URI", "media:// URI", "local path", "seconds to wait", "AIGC_MCP_DELIVERY", "what each takes"])
      expect(fields).not.toContain(repeated);
  });
});
