/** Shared by the Jimeng tool tests. */
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";

/** Matches the simulator requests of one Volcengine action (`CVSync2AsyncSubmitTask`, `CVProcess`, …). */
export const isAction =
  (action: string) =>
  (r: SimRequest): boolean =>
    r.query.get("Action") === action;
