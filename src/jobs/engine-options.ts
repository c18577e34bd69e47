import type { WaitBudget } from "./budget.js";
import type { LocalRun } from "./kinds/local-call.js";
import type { SubmitFn } from "./kinds/submitting.js";
import type { OrphanTimes } from "./orphans.js";
import type { OutputKind } from "./outputs.js";

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

/** The room of the media a call loaded itself (net/loaded-media.ts LoadRoom). */
interface LoadedRoom {
  release(): void;
}

/** What JobEngine.startTask is given. */
export interface StartTaskOptions {
  vendor: string;
  op: string;
  model?: string;
  label?: string;
  budget?: WaitBudget;
  facts?: Record<string, string>;
  /** The caller's signal: it ends the caller's wait for the create, never the create itself. */
  signal?: AbortSignal;
  submit: SubmitFn;
  /** The call's loaded media (in the create's body): their room is given back once the create settles. */
  loads?: LoadedRoom;
}

/** What JobEngine.startLocal is given. */
export interface StartLocalOptions {
  vendor: string;
  op: string;
  model?: string;
  label?: string;
  outputKind: OutputKind;
  run: LocalRun;
  /** The call's loaded media (in the request's body): their room is given back once the request settles. */
  loads?: LoadedRoom;
}

/** `fn`, giving back `loads`' room once the promise it returns settles (its body then is no longer needed). */
export function releasing<A extends unknown[], R>(fn: (...args: A) => Promise<R>, loads?: LoadedRoom): (...args: A) => Promise<R> {
  return loads ? (...args) => fn(...args).finally(() => loads.release()) : fn;
}
