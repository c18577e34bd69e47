/** Typed views of tool results and simulator traffic, shared by the integration and e2e tests. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { jobResultShape } from "../../src/tools/job-result.js";
import type { vendorShape } from "../../src/tools/list-models.js";
import type { SimRequest, VendorSimulator } from "../../src/sandbox/sim-server.js";

/** `structuredContent` of every media and job tool, as the tools declare it. */
export type JobResult = z.infer<z.ZodObject<typeof jobResultShape>>;

/** `structuredContent` of list_models, as the tool declares it. */
export type ModelList = { vendors: Array<z.infer<typeof vendorShape>> };

/** The structured job of a media or job tool's result. */
export function jobOf(result: CallToolResult): JobResult {
  return result.structuredContent as JobResult;
}

/** Which requests to keep: those whose path contains a string (`"/tasks"`), or those a predicate accepts. */
export type RequestFilter = string | ((r: SimRequest) => boolean);

function matches(filter: RequestFilter | undefined): (r: SimRequest) => boolean {
  if (filter === undefined) return () => true;
  return typeof filter === "string" ? (r) => r.path.includes(filter) : filter;
}

/** Every request a simulator has received (that matches `filter`, when given), oldest first. */
export function requestsTo(sim: VendorSimulator, filter?: RequestFilter): SimRequest[] {
  return sim.sim.requests.filter(matches(filter));
}

/**
 * Marks a simulator's request log now; `since()` returns the requests it received after the mark,
 * optionally only those matching `filter` (`expect(m.since()).toHaveLength(0)`: nothing reached the vendor).
 */
export interface RequestMark {
  since(filter?: RequestFilter): SimRequest[];
}

export function mark(sim: VendorSimulator): RequestMark {
  const start = sim.sim.requests.length;
  return {
    since(filter) {
      return sim.sim.requests.slice(start).filter(matches(filter));
    },
  };
}

/** The last request a simulator received (that matches `filter`, when given); throws when there is none. */
export function lastRequest(sim: VendorSimulator, filter?: RequestFilter): SimRequest {
  const found = requestsTo(sim, filter).at(-1);
  if (!found) throw new Error(`no request${typeof filter === "string" ? ` to ${filter}` : ""} reached the simulator`);
  return found;
}
