/** The body of `GET /healthz` (README: Health checks). */
import type { AppContext } from "../context.js";
import { VERSION } from "../version.js";
import type { BodyBudget } from "./body-budget.js";

export function health(app: AppContext, sessions: number, bodies: BodyBudget) {
  return {
    status: "ok",
    name: "aigc-mcp",
    version: VERSION,
    vendors: app.vendors.map((v) => v.id),
    sessions,
    jobs_in_memory: app.jobs.inMemory,
    large_bodies: {
      bytes_held: bodies.inUse,
      bytes_loaded: bodies.inLoading,
      bytes_to_vendors: bodies.inSending,
      waiting: bodies.waiting,
    },
  };
}
