/**
 * The caller's wait budget (`wait_seconds`), the one bound on a whole generation call: measured
 * from the start of the call, spent on the create (and any local back-off before it) as well as on
 * waiting, so a hung create cannot hold the caller past it. Every generation tool gets one from
 * `ctx.budget(args.wait_seconds)` (src/tools/define.ts) and hands it to the engine's start and to
 * `waitAndRender`; no tool computes a deadline of its own.
 */
export class WaitBudget {
  constructor(readonly deadlineMs: number) {}
  /** What is left of the budget, never below zero. */
  remainingMs(): number {
    return Math.max(0, this.deadlineMs - Date.now());
  }
}

/**
 * The least time a create is given before the call returns a `submitting` job, so that a zero
 * budget still gets the task id of a create that answers at once.
 */
export const SUBMIT_GRACE_MS = 1000;
