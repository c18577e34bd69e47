/**
 * Which server process runs a local job. A synchronous vendor call cannot be resumed, so another
 * process must tell a job that is still running elsewhere from one whose process has gone.
 */
import { randomBytes } from "node:crypto";
import type { JobRecord } from "./types.js";

export type JobOwner = NonNullable<JobRecord["owner"]>;

// Distinguishes this process from an earlier one that had the same pid.
const BOOT_ID = randomBytes(6).toString("hex");

/** The owner stamp for local jobs run by this process. */
export function thisProcess(): JobOwner {
  return { pid: process.pid, boot: BOOT_ID };
}

/** True when `owner` is this very process (same pid and same boot). */
export function isThisProcess(owner: JobOwner): boolean {
  return owner.pid === process.pid && owner.boot === BOOT_ID;
}

/** True while a process with this pid exists, including one we may not signal (EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
