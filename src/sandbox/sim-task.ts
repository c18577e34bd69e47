/** Simulated vendor tasks whose phase follows the simulator clock. */
/** A task whose status follows the simulator clock: queued, then running, then its outcome. */
export interface SimTask<T> {
  id: string;
  createdMs: number;
  queuedMs: number;
  runningMs: number;
  outcome: "succeeded" | "failed" | "expired";
  cancelled?: boolean;
  deleted?: boolean;
  data: T;
}

export function taskPhase<T>(task: SimTask<T>, now: number): "queued" | "running" | "succeeded" | "failed" | "expired" | "cancelled" {
  if (task.cancelled) return "cancelled";
  const t = now - task.createdMs;
  if (task.outcome === "expired") return t < task.queuedMs ? "queued" : "expired";
  if (t < task.queuedMs) return "queued";
  if (t < task.queuedMs + task.runningMs) return "running";
  return task.outcome;
}
