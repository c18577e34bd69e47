/**
 * Liveness of a process whose pid this one cannot ask about (src/jobs/file-heartbeat.ts): a server
 * in another pid namespace (two containers on one volume are both pid 1) or on another machine
 * sharing the output folder is alive while its heartbeat file is fresh; its pid is not consulted.
 */
import { existsSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileJobStore } from "../../src/jobs/file-store.js";
import { HEARTBEAT_STALE_MS } from "../../src/jobs/file-heartbeat.js";
import { pidsComparable, thisProcess } from "../../src/jobs/owner.js";
import { tempDir } from "../helpers/harness.js";
import { deadPid } from "../helpers/owner.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

describe("a job owner whose pid this process cannot ask about", () => {
  it.runIf(process.platform === "linux")("is told by the pid namespace in its stamp", () => {
    const me = thisProcess();
    expect(me.ns).toMatch(/^\d+$/);
    expect(pidsComparable(me)).toBe(true);
    expect(pidsComparable({ ...me, ns: "1" })).toBe(false);
    expect(pidsComparable({ ...me, machine: "5d1c7f0e-0000-4000-8000-000000000000" })).toBe(false);
    expect(pidsComparable({ machine: me.machine })).toBe(true); // an earlier release's stamp
  });

  it("is alive while its heartbeat is fresh, whatever its pid, and gone once stale or removed", async () => {
    const dir = folder();
    const other = new FileJobStore(dir, 30); // the process in the other namespace
    const me = new FileJobStore(dir, 30);
    // In its own namespace its pid is one this namespace has seen exit.
    const stamp = { ...other.owner(), pid: deadPid(), ns: "4026531999" };
    const beat = join(dir, ".aigc-mcp", "procs", stamp.boot);
    expect(existsSync(beat)).toBe(true);
    expect(await me.ownerAlive(stamp)).toBe(true);
    // Another machine on a network folder, the same way.
    expect(await me.ownerAlive({ ...stamp, ns: undefined, machine: "5d1c7f0e-0000-4000-8000-000000000000" })).toBe(true);
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS - 1000);
    utimesSync(beat, old, old);
    expect(await me.ownerAlive(stamp)).toBe(false);
    await other.close();
    expect(existsSync(beat)).toBe(false);
    expect(await me.ownerAlive(stamp)).toBe(false);
    // In this namespace the pid decides: a fresh heartbeat does not keep a dead pid alive.
    const mine = me.owner();
    expect(await me.ownerAlive({ ...mine, pid: deadPid(), boot: "someone-else" })).toBe(false);
    await me.close();
  });
});
