/**
 * Everything the server writes to disk (job records under <output>/.aigc-mcp/jobs and anything
 * else in the output folder) passes through the same redaction as results and logs: every
 * simulator echoes the request's credentials (and the tokens and signatures derived from them) in
 * its error bodies, and no persisted file may hold any of them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLUGINS } from "../../../src/plugins.js";
import type { SimRequest } from "../../../src/sandbox/sim-server.js";
import { startHarness, type Harness } from "../../helpers/harness.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Header values that carry a credential or something derived from one. */
const CREDENTIAL_HEADERS = ["authorization", "x-api-key", "api-key", "x-ca-key", "x-ca-signature"];

describe("persisted files carry no secret", () => {
  let h: Harness;
  const echoed = new Set<string>();
  beforeAll(async () => {
    h = await startHarness({ env: { AIGC_MCP_AUTH_TOKEN: "mcp-token-persist-never-1234" } });
  });
  afterAll(() => h.close());

  it("redacts credentials echoed by every vendor's error from job records", async () => {
    const secrets = [...PLUGINS.flatMap((p) => p.secrets(h.env)), "mcp-token-persist-never-1234"].filter(
      (s): s is string => typeof s === "string" && s.length >= 4,
    );
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const sims = [h.sandbox.ark, h.sandbox.kling, h.sandbox.visual, h.sandbox.animo, h.sandbox.gateway];
    for (const s of sims) {
      let last: SimRequest | undefined;
      // The body is rendered when the fault fires, so it echoes that request's own headers.
      const body = {
        toJSON: () => {
          const creds = CREDENTIAL_HEADERS.map((k) => last?.headers[k]).filter(Boolean) as string[];
          for (const c of creds) echoed.add(String(c));
          const text = `rejected request with ${creds.join(" | ")}; keys on file: ${secrets.join(" ")}`;
          return {
            error: { code: "InvalidParameter", message: text },
            code: 1201,
            message: text,
            ResponseMetadata: { Error: { Code: "InvalidParameter", Message: text } },
          };
        },
      };
      s.sim.inject({
        kind: "status",
        status: 400,
        times: 1000,
        body,
        match: (req) => {
          last = req;
          return !req.path.includes("/media") && !req.path.includes("/files");
        },
      });
    }
    // Every vendor's demo calls (the ones that need no earlier result), each failing on the echo.
    for (const p of PLUGINS) {
      for (const d of p.demo) {
        if (typeof d.arguments === "function") continue;
        await h.call(d.tool, { ...d.arguments, ...("wait_seconds" in d.arguments ? { wait_seconds: 2 } : {}) });
      }
    }
    for (const s of sims) s.sim.clearFaults();
    const files = filesUnder(h.dir);
    expect(files.some((f) => f.includes(join(".aigc-mcp", "jobs")))).toBe(true);
    const persisted = files.map((f) => readFileSync(f, "latin1")).join("\n");
    for (const secret of [...secrets, ...echoed]) expect(persisted).not.toContain(secret);
    expect(persisted).toContain("[redacted]");
  });
});
