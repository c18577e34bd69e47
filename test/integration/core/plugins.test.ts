/** The plugins loaded against the sandbox: what test/unit/structure.test.ts checks in the source holds once they are loaded. */
import { describe, expect, it } from "vitest";
import { parseCoreConfig, type Env } from "../../../src/config.js";
import { loadVendors, PLUGINS } from "../../../src/plugins.js";
import { startSandbox } from "../../../src/sandbox/index.js";

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
