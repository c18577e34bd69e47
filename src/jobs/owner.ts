/**
 * Which server process runs a local job. A synchronous vendor call cannot be resumed, so another
 * process must tell a job that is still running elsewhere from one whose process has gone. How a
 * process is known to be alive depends on the job store: the file store (one machine) asks the
 * operating system about the pid; a shared store (Redis) keeps a heartbeat key per process that
 * expires when the process stops renewing it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { uptime } from "node:os";
import type { JobRecord } from "./types.js";

export type JobOwner = NonNullable<JobRecord["owner"]>;

// Distinguishes this process from an earlier one that had the same pid (or one on another machine).
const BOOT_ID = randomBytes(6).toString("hex");

/** Boot times (see machineBoot) this far apart are two boots: a clock set right after boot moves the estimate less. */
const BOOT_SLACK_S = 600;

let machine: string | undefined;

/**
 * This boot of this machine, read once when first asked (not at start-up): Linux's
 * /proc/sys/kernel/random/boot_id, elsewhere `t` and the boot time in Unix seconds (now − uptime).
 */
export function machineBoot(): string {
  if (machine) return machine;
  try {
    machine = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    machine = `t${Math.round(Date.now() / 1000 - uptime())}`;
  }
  return machine;
}

/** Whether two machineBoot() values name the same boot. */
export function sameBoot(a: string, b: string): boolean {
  if (!a.startsWith("t") || !b.startsWith("t")) return a === b;
  return Math.abs(Number(a.slice(1)) - Number(b.slice(1))) <= BOOT_SLACK_S;
}

/** When a process started, in clock ticks since boot (Linux /proc/<pid>/stat field 22); undefined elsewhere or when it is gone. */
function startTicks(stat: string): string | undefined {
  // The command name (field 2) may hold spaces and parentheses: the fields after its last ")" start at field 3.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

let namespace: string | undefined | null = null;

/** This process's pid namespace (Linux: the inode of /proc/self/ns/pid), read once; undefined elsewhere. */
function pidNamespace(): string | undefined {
  if (namespace === null) {
    try {
      namespace = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
    } catch {
      namespace = undefined;
    }
  }
  return namespace;
}

let started: string | undefined | null = null;

function ownStart(): string | undefined {
  if (started === null) {
    try {
      started = startTicks(readFileSync("/proc/self/stat", "utf8"));
    } catch {
      started = undefined;
    }
  }
  return started;
}

/** The owner stamp for local jobs run by this process. */
export function thisProcess(): JobOwner {
  const start = ownStart();
  const ns = pidNamespace();
  return { pid: process.pid, boot: BOOT_ID, machine: machineBoot(), ...(start ? { started: start } : {}), ...(ns ? { ns } : {}) };
}

/**
 * Whether this process can ask the operating system about `owner`'s pid: it ran in this boot of
 * this machine and in this pid namespace. Otherwise (another container, another machine on a
 * shared folder, an earlier boot) only its heartbeat tells (file-heartbeat.ts). A stamp without
 * `ns` (an earlier release's) counts as this namespace's, as it did then.
 */
export function pidsComparable(owner: Pick<JobOwner, "machine" | "ns">): boolean {
  if (owner.machine && !sameBoot(owner.machine, machineBoot())) return false;
  return owner.ns === undefined || owner.ns === pidNamespace();
}

/**
 * For an owner whose pids are comparable (pidsComparable; otherwise false when it ran in an earlier
 * boot): true while the process that stamped `owner` may still run on this machine: its pid exists
 * (including one we may not signal, EPERM) and, when the stamp says, in this boot and started
 * when it did. A pid names one process at a time, so a pid reused after a reboot, by a restarted
 * container (pid 1) or by chance, never passes for the process that stamped the job.
 */
export async function processAlive(owner: Pick<JobOwner, "pid" | "boot" | "machine" | "started">): Promise<boolean> {
  if (owner.machine && !sameBoot(owner.machine, machineBoot())) return false;
  if (owner.pid === process.pid) return owner.boot === BOOT_ID;
  if (owner.started) {
    const now = await readFile(`/proc/${owner.pid}/stat`, "utf8").then(startTicks, () => undefined);
    if (now !== undefined && now !== owner.started) return false;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
