/**
 * Schema snapshots (github-mcp-server style): any change to a tool's contract shows up in review.
 * A vendor tool's snapshot sits next to that vendor's tests (`../vendors/<id>/__toolsnaps__/`), the
 * core tools' (jobs, list_models) in `__toolsnaps__/` here. `npx vitest run <this file> --update` updates them (`-u` before the file would run every test).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { listedTool } from "../../../src/tools/listed-tool.js";
import { jobTools } from "../../../src/tools/jobs.js";
import { listModels } from "../../../src/tools/list-models.js";
import { estimateCostTool, getBudgetTool } from "../../../src/tools/cost-tools.js";

describe("tool catalogue", () => {
  let h: Harness;
  let tools: Tool[];
  beforeAll(async () => {
    h = await startHarness();
    tools = (await h.client.listTools()).tools;
  });
  afterAll(() => h.close());

  /** Where a tool's snapshot lives, relative to this file: its vendor's folder, or here for a core tool. */
  const snapshotPath = (name: string): string => {
    const vendor = h.app.vendors.find((v) => v.tools.some((t) => t.name === name));
    return vendor ? `../vendors/${vendor.id}/__toolsnaps__/${name}.json` : `__toolsnaps__/${name}.json`;
  };

  it("names are snake_case, at most 64 characters, with title, description and outputSchema", () => {
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
      expect(t.title).toBeTruthy();
      expect(t.description!.length).toBeGreaterThan(60);
      expect(t.outputSchema).toBeTruthy();
    }
  });

  /** Every tool as the server validates it: the full JSON Schema of its zod input (the listed one is compacted). */
  const validated = () =>
    [
      ...h.app.vendors.flatMap((v) => v.tools),
      ...jobTools(h.app),
      listModels(h.app),
      estimateCostTool(h.app, () => []),
      getBudgetTool(h.app),
    ]
      .map((d) => listedTool(d))
      .map((d) => ({ name: d.name, schema: z.toJSONSchema(z.object(d.input), { io: "input" }) }));

  it("every string argument has a maxLength and every array a maxItems in the schema the server validates with (loose true bounds, issue 11)", () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (node === null || typeof node !== "object") return;
      const s = node as Record<string, unknown>;
      const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
      const fixed = "const" in s || Array.isArray(s.enum);
      if (types.includes("string") && !fixed && typeof s.maxLength !== "number") unbounded.push(`${path}: string without maxLength`);
      if (types.includes("array") && typeof s.maxItems !== "number") unbounded.push(`${path}: array without maxItems`);
      for (const [k, v] of Object.entries(s)) walk(v, `${path}.${k}`);
    };
    for (const t of validated()) walk(t.schema, t.name);
    expect(unbounded).toEqual([]);
  });

  it("listed input schemas keep types, enums and number ranges but leave out validation-only keywords (issue 12 item 16)", () => {
    const listed = new Map(tools.map((t) => [t.name, JSON.stringify(t.inputSchema)]));
    expect([...listed.keys()].sort()).toEqual(
      validated()
        .map((t) => t.name)
        .sort(),
    );
    for (const [name, json] of listed) {
      for (const k of ["minLength", "maxLength", "pattern", "minItems", "maxItems", "propertyNames"])
        expect(json, `${name} lists ${k}`).not.toContain(`"${k}"`);
    }
    const seedance = tools.find((t) => t.name === "seedance_generate_video")!.inputSchema.properties!;
    expect(seedance.ratio).toMatchObject({ type: "string", enum: expect.arrayContaining(["16:9", "adaptive"]) });
    expect(seedance.duration).toMatchObject({ type: "integer", minimum: -1 });
  });

  it("listed input schemas leave out what every client knows: $schema and zod's ±2^53-1 integer bounds (issue 12 item 16)", () => {
    for (const t of tools) {
      const json = JSON.stringify(t.inputSchema);
      expect(json, t.name).not.toContain('"$schema"');
      expect(json, t.name).not.toContain(String(Number.MAX_SAFE_INTEGER));
    }
  });

  it("descriptions agree with the listed schema: 'required' only on required fields, ranges and units as listed", () => {
    type Prop = { description?: string; maximum?: number };
    const props = (name: string) => tools.find((t) => t.name === name)!.inputSchema;
    const wrong: string[] = [];
    for (const t of tools)
      for (const [k, p] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, Prop>))
        // "required for text-to-video" is a condition the description states; a bare "required" must be in `required`.
        if (/\brequired\b(?! (for|with|when|if|unless|by)\b)/i.test(p.description ?? "") && !t.inputSchema.required?.includes(k))
          wrong.push(`${t.name}.${k}`);
    expect(wrong).toEqual([]);
    expect(props("kling_image_to_video").required).toContain("image");
    const scale = props("jimeng_generate_image").properties!.scale as Prop;
    expect(scale.description).toContain(`0-${scale.maximum}`);
    expect((props("seedance_generate_video").properties!.duration as Prop).description).toMatch(/^s\b/);
  });

  it("every tool declares all four annotation hints (clients assume the worst for a missing one)", () => {
    for (const t of tools) {
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
        expect(typeof t.annotations?.[hint], `${t.name} ${hint}`).toBe("boolean");
    }
  });

  it("paid generators and job tools carry the right annotations", () => {
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const t of tools.filter((t) => /generate/.test(t.name))) {
      expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    }
    for (const n of ["get_job", "wait_for_job", "list_jobs"]) expect(byName.get(n)!.annotations!.readOnlyHint).toBe(true);
    expect(byName.get("cancel_job")!.annotations!.readOnlyHint).toBe(false);
  });

  it("no tool that spends money (it takes max_cost) is read-only: hosts may run read-only tools without asking", () => {
    const paid = tools.filter((t) => "max_cost" in (t.inputSchema.properties ?? {}));
    expect(paid.map((t) => t.name)).toContain("gateway_chat");
    for (const t of paid) expect(t.annotations?.readOnlyHint, t.name).toBe(false);
  });

  it("matches the committed snapshots", async () => {
    for (const t of tools) {
      await expect(JSON.stringify(t, null, 2) + "\n").toMatchFileSnapshot(snapshotPath(t.name));
    }
  });
});
