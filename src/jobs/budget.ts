/**
 * The caller's wait budget (`wait_seconds`), the one bound on a whole generation call: measured
 * from the start of the call, spent on the create as well as on waiting, so a hung create cannot
 * hold the caller past it. Every generation tool makes one with `waitBudget` and hands it to the
 * engine's start and to `waitAndRender`.
 */
export class WaitBudget {
  constructor(readonly deadlineMs: number) {}
  /** What is left of the budget, never below zero. */
  remainingMs(): number {
    return Math.max(0, this.deadlineMs - Date.now());
  }
}

/** A budget of `waitSeconds` (or `defaultS` when absent), starting now. */
export function waitBudget(waitSeconds: number | undefined, defaultS: number): WaitBudget {
  return new WaitBudget(Date.now() + (waitSeconds ?? defaultS) * 1000);
}

/**
 * The least time a create is given before the call returns a `submitting` job, so that a zero
 * budget still gets the task id of a create that answers at once.
 */
export const SUBMIT_GRACE_MS = 1000;
