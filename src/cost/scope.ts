/**
 * What the job engine must know of the tool call now running, carried to it without threading it
 * through every tool: the guard (src/tools/cost-guard.ts) runs a paid tool inside a scope, and the
 * engine reads it when the tool starts its job, so the job's record carries its estimate and
 * reservation (settled when the job ends, in whichever process ends it) and an idempotency key
 * learns its job at once; a task call (src/tools/task-calls.ts) adds the delivery it asked for.
 * AsyncLocalStorage is Node's own way to do this.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { JobCost, JobRecord } from "../jobs/types.js";

export interface CallScope {
  /** The estimate and the reservation of the call, for the record of the job it starts. */
  cost?: JobCost;
  /** Told the job id as soon as the engine has one (the create answered, or the call's wait ran out). */
  onJob?(jobId: string): void;
  /** A call made as an MCP task: the delivery it named, kept in its job's record for tasks/result. */
  taskDelivery?: JobRecord["task_delivery"];
}

const scopes = new AsyncLocalStorage<CallScope>();

export function inCallScope<T>(scope: CallScope, run: () => Promise<T>): Promise<T> {
  return scopes.run(scope, run);
}

/** The scope of the call this code runs for, if a paid tool's guard set one. */
export function callScope(): CallScope | undefined {
  return scopes.getStore();
}
