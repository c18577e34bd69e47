/** The hung-create scenario every vendor's lost-answer tests run (issue 11 item 12). */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { SimRequest, VendorSimulator } from "../../src/sandbox/sim-server.js";
import type { Harness } from "./harness.js";
import { jobOf, mark } from "./results.js";

/**
 * Makes `sim` hold its answer to every request `isCreate` matches for 2.5 s, calls `tool` with a
 * 1 s wait budget, checks the call returned a `submitting` job within 2 s, then lets
 * `wait_for_job` resolve it. Returns both results and the create requests the vendor received.
 */
export async function hungCreate(
  h: Harness,
  sim: VendorSimulator,
  isCreate: (r: SimRequest) => boolean,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ first: CallToolResult; done: CallToolResult; creates: SimRequest[] }> {
  sim.sim.inject({ kind: "hang-answer", delayMs: 2500, match: isCreate });
  const m = mark(sim);
  const t0 = Date.now();
  const first = await h.call(tool, { ...args, wait_seconds: 1 });
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(jobOf(first)).toMatchObject({ status: "submitting" });
  // The job says its model from the start, not only once the create answered (tryout finding).
  if (typeof args.model === "string") expect(jobOf(first).model).toBe(args.model);
  const done = await h.call("wait_for_job", { job_id: jobOf(first).job_id, wait_seconds: 20 });
  return { first, done, creates: m.since(isCreate) };
}
