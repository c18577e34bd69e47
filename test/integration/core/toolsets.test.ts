/** Issue 12 item 16: AIGC_MCP_TOOLSETS lists only the chosen tools, and an unknown name stops the server naming the valid ones. */
import { describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../../src/config.js";
import { loadVendors, PLUGINS } from "../../../src/plugins.js";
import { startHarness } from "../../helpers/harness.js";

describe("AIGC_MCP_TOOLSETS", () => {
  it("lists only the named vendors' tools and the named shared toolsets; hidden vendors' jobs still resume", async () => {
    const h = await startHarness({ env: { AIGC_MCP_TOOLSETS: "ark, kling,jobs" } });
    try {
      const names = (await h.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("seedream_generate_image");
      expect(names).toContain("kling_text_to_video");
      expect(names).toEqual(expect.arrayContaining(["get_job", "wait_for_job", "cancel_job", "list_jobs"]));
      expect(names.filter((n) => /^(jimeng_|volc_|animo_|gateway_)/.test(n) || n === "list_models")).toEqual([]);
      // Every configured vendor is still loaded: its drivers resume jobs even when its tools are not listed.
      expect(h.app.vendors.map((v) => v.id).sort()).toEqual(PLUGINS.map((p) => p.id).sort());
    } finally {
      await h.close();
    }
    const all = await startHarness();
    try {
      const names = (await all.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining(["list_models", "get_job", "gateway_chat", "jimeng_generate_image", "animo_generate_video"]),
      );
    } finally {
      await all.close();
    }
  });

  it("names are case-insensitive; empty entries are ignored with a warning; a value naming nothing is refused", async () => {
    const h = await startHarness({ env: { AIGC_MCP_TOOLSETS: " ARK,,Jobs, " } });
    try {
      const names = (await h.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("seedream_generate_image");
      expect(names).toContain("wait_for_job");
      expect(names.filter((n) => /^(kling_|jimeng_|volc_|animo_|gateway_)/.test(n) || n === "list_models")).toEqual([]);
      expect(h.app.config.toolsets).toEqual(["ark", "jobs"]);
    } finally {
      await h.close();
    }
    const { normalizeToolsets } = await import("../../../src/plugins.js");
    expect(normalizeToolsets(["ark", "", "JOBS", "ark"])).toEqual({
      names: ["ark", "jobs"],
      warning: 'AIGC_MCP_TOOLSETS "ark,,JOBS,ark" has an empty entry, ignored: listing ark, jobs',
    });
    expect(normalizeToolsets(["Kling"])).toEqual({ names: ["kling"] });
    const env = { AIGC_MCP_TOOLSETS: " , " };
    await expect(loadVendors(env, parseCoreConfig(env))).rejects.toThrow(/^AIGC_MCP_TOOLSETS: names no toolset/);
  });

  it("an unknown name stops start-up with one line naming the variable and the valid names", async () => {
    const env = { AIGC_MCP_TOOLSETS: "ark,klign" };
    await expect(loadVendors(env, parseCoreConfig(env))).rejects.toThrow(
      new RegExp(
        `^AIGC_MCP_TOOLSETS: unknown toolset "klign" \\(did you mean kling\\?\\); valid: ${PLUGINS.map((p) => p.id).join(", ")}, jobs, models, cost$`,
      ),
    );
  });
});

describe("toolsets that list nothing", () => {
  it("warns about a named vendor without credentials, and suggests the nearest name for a typo", async () => {
    const { toolsetWarning, checkToolsets } = await import("../../../src/plugins.js");
    expect(toolsetWarning(["ark"], [])).toMatch(/AIGC_MCP_TOOLSETS names ark, which has no credentials set/);
    expect(toolsetWarning(undefined, [])).toMatch(/no vendor credentials found/);
    expect(toolsetWarning(["ark", "jobs"], ["ark"])).toBeUndefined();
    expect(() => checkToolsets(["arkk"])).toThrow(/unknown toolset "arkk" \(did you mean ark\?\)/);
  });

  it("warns naming jobs when a vendor whose tools wait for jobs is listed without it", async () => {
    const { jobsToolsetWarning } = await import("../../../src/plugins.js");
    const tool = (input: Record<string, unknown>) => ({ input }) as never;
    const kling = { id: "kling", tools: [tool({ prompt: 1, wait_seconds: 1 })] } as never;
    const plain = { id: "plain", tools: [tool({ prompt: 1 })] } as never;
    expect(jobsToolsetWarning(["kling", "models"], [kling, plain])).toBe(
      "AIGC_MCP_TOOLSETS lists kling but not jobs: a generation not finished within its call's wait answers with a job_id for wait_for_job, which is then not listed, so the client cannot follow the job (it still runs and saves its files). Add jobs to AIGC_MCP_TOOLSETS (e.g. kling,models,jobs)",
    );
    expect(jobsToolsetWarning(["kling", "jobs"], [kling])).toBeUndefined();
    expect(jobsToolsetWarning(undefined, [kling])).toBeUndefined();
    expect(jobsToolsetWarning(["plain", "models"], [kling, plain])).toBeUndefined();
  });
});
