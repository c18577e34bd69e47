/** The plugins loaded against the sandbox: what test/unit/structure.test.ts checks in the source holds once they are loaded. */
import { describe, expect, it } from "vitest";
import { parseCoreConfig, type Env } from "../../../src/config.js";
import { AigcError, describeError } from "../../../src/errors.js";
import { loadVendors, PLUGINS } from "../../../src/plugins.js";
import { ignoredBySandbox, startSandbox } from "../../../src/sandbox/index.js";
import { ENDPOINTS, MODELS } from "../../../src/vendors/ark/catalog.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { logLines, startHarness, tempDir, text } from "../../helpers/harness.js";

describe("vendor ids and folders", () => {
  it("a loaded vendor keeps its plugin's id and title", async () => {
    const sandbox = await startSandbox({ fast: true });
    try {
      const env: Env = { ...sandbox.env, AIGC_MCP_LOG_LEVEL: "error" };
      const loaded = await loadVendors(env, parseCoreConfig(env));
      expect(loaded.map((v) => [v.id, v.title])).toEqual(PLUGINS.map((p) => [p.id, p.title]));
    } finally {
      await sandbox.close();
    }
  });
});

describe("error prefixes", () => {
  it("name every vendor by its display name, whether the error carries its id or its name", () => {
    for (const p of PLUGINS) {
      for (const vendor of [p.id, p.name]) {
        const text = describeError(new AigcError({ category: "invalid_input", code: "X", vendor, message: "m" }));
        expect(text, vendor).toMatch(new RegExp(`^Error: X \\(${p.name}\\): m`));
      }
    }
  });

  it("a catalog refusal (built with the vendor id) reads like the vendor's own errors", async () => {
    const h = await startHarness();
    try {
      const retired = MODELS.find((m) => m.status === "retired" && m.endpoints.includes(ENDPOINTS.video))!;
      const r = await h.call("seedance_generate_video", { prompt: "waves", model: retired.id });
      expect(text(r)).toMatch(/^Error: ModelRetired \(Ark\)/);
    } finally {
      await h.close();
    }
  });
});

describe("--sandbox and vendor variables", () => {
  it("names at start-up every model variable (and any other vendor variable) it ignores, never a value", async () => {
    const sandbox = await startSandbox({ fast: true });
    try {
      const env: Env = { ...sandbox.env, AIGC_MCP_LOG_LEVEL: "error" };
      const modelVars = (await loadVendors(env, parseCoreConfig(env))).flatMap((v) =>
        (v.models?.tools ?? []).flatMap((t) => (t.variable ? [t.variable] : [])),
      );
      expect(modelVars).toEqual(expect.arrayContaining(["ARK_VIDEO_MODEL", "ARK_IMAGE_MODEL", "KLING_VIDEO_MODEL"]));
      const user: Env = { AIGC_MCP_PORT: "9000", KLING_API_KEY: "sk-very-secret-value" };
      for (const name of modelVars) user[name] = "my-model";
      const line = ignoredBySandbox(user)!;
      for (const name of [...modelVars, "KLING_API_KEY"]) expect(line).toContain(name);
      expect(line).not.toContain("AIGC_MCP_PORT");
      expect(line).not.toContain("sk-very-secret-value");
      expect(line).toMatch(/simulators use their own keys, URLs and default models/);
      expect(ignoredBySandbox({ AIGC_MCP_PORT: "9000" })).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });

  it("warns at start-up of a models-file capability no tool of its vendor takes (it would never be checked)", async () => {
    const sandbox = await startSandbox({ fast: true });
    const file = join(tempDir(), "models.json");
    const seedance = MODELS.find((m) => m.endpoints.includes(ENDPOINTS.video) && m.status === "active")!.id;
    writeFileSync(
      file,
      JSON.stringify({
        ark: [{ id: seedance, capabilities: { duraton: { min: 4, max: 60 }, resolution: ["720p"] } }],
        kling: [{ id: "kling-v9", endpoints: ["videos/text2video"], byEndpoint: { "videos/text2video": { sond: true } } }],
        // volc_visual_call hands the vendor's own body fields to the check: any name may be checked
        visual: [{ id: "some_req_key", endpoints: ["image/t2i"], capabilities: { any_body_field: true } }],
      }),
    );
    const from = logLines.length;
    try {
      const env: Env = { ...sandbox.env, AIGC_MCP_MODELS_FILE: file, AIGC_MCP_LOG_LEVEL: "warn" };
      await loadVendors(env, parseCoreConfig(env));
      const warned = logLines.slice(from).filter((l) => l.includes("never checked"));
      expect(warned).toHaveLength(2);
      expect(warned[0]).toContain(
        `ark entry 0 (id "${seedance}"), field capabilities.duraton: no ark tool's model check sees an argument duraton`,
      );
      expect(warned[0]).toContain("did you mean duration?");
      expect(warned[1]).toContain("field byEndpoint.videos/text2video.sond");
      expect(warned[1]).toContain("did you mean sound?");
    } finally {
      await sandbox.close();
    }
  });
});
