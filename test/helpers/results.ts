/** Typed views of tool results and simulator traffic, shared by the integration and e2e tests. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { jobResultShape } from "../../src/tools/job-result.js";
import type { SimRequest, VendorSimulator } from "../../src/sandbox/sim-server.js";

/** `structuredContent` of every media and job tool, as the tools declare it. */
export type JobResult = z.infer<z.ZodObject<typeof jobResultShape>>;

/** The structured job of a media or job tool's result. */
export function jobOf(result: CallToolResult): JobResult {
  return result.structuredContent as JobResult;
}

/**
 * Marks a simulator's request log now; `since()` returns the requests it received after the mark,
 * optionally only those whose path contains `path` (`"/tasks"`) or that match a predicate.
 */
export function mark(sim: VendorSimulator): { since(filter?: string | ((r: SimRequest) => boolean)): SimRequest[] } {
  const start = sim.sim.requests.length;
  return {
    since(filter) {
      const after = sim.sim.requests.slice(start);
      if (filter === undefined) return after;
      return after.filter(typeof filter === "string" ? (r) => r.path.includes(filter) : filter);
    },
  };
}

/** The last request a simulator received (whose path contains `path`, when given); throws when there is none. */
export function lastRequest(sim: VendorSimulator, path?: string): SimRequest {
  const found = sim.sim.requests.filter((r) => path === undefined || r.path.includes(path)).at(-1);
  if (!found) throw new Error(`no request${path ? ` to ${path}` : ""} reached the simulator`);
  return found;
}
