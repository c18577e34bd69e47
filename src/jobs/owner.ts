/**
 * Which server process runs a local job. A synchronous vendor call cannot be resumed, so another
 * process must tell a job that is still running elsewhere from one whose process has gone. How a
 * process is known to be alive depends on the job store: the file store (one machine) asks the
 * operating system about the pid; a shared store (Redis) keeps a heartbeat key per process that
 * expires when the process stops renewing it.
 */
import { randomBytes } from "node:crypto";
import type { JobRecord } from "./types.js";

export type JobOwner = NonNullable<JobRecord["owner"]>;

// Distinguishes this process from an earlier one that had the same pid (or one on another machine).
const BOOT_ID = randomBytes(6).toString("hex");

/** The owner stamp for local jobs run by this process. */
export function thisProcess(): JobOwner {
  return { pid: process.pid, boot: BOOT_ID };
}

/** True while a process with this pid exists on this machine, including one we may not signal (EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
