import type { OrphanTimes } from "./orphans.js";

/** Timings of the job engine (engine.ts) and of resuming jobs whose process stopped (orphans.ts); tests shorten them. */
export interface EngineOptions {
  /** First poll delay; later polls back off towards the driver's interval. */
  pollMinMs?: number;
  /** A tracker stops polling after this long without anyone asking about the job. */
  trackIdleMs?: number;
  /** How often a waiting caller is told that it is still waiting. */
  heartbeatMs?: number;
  /** Life of a download lease (renewed every third of it while its holder saves the outputs). */
  leaseMs?: number;
  /** When jobs whose server process stopped are looked for (orphans.ts ORPHAN_TIMES by default). */
  orphans?: Partial<OrphanTimes>;
}
