/**
 * Which process owns a local job (src/jobs/owner.ts): a pid from an earlier boot of the machine, or
 * one reused by a later process (a restarted container's pid 1), is not the process that stamped it.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { machineBoot, processAlive, sameBoot, thisProcess } from "../../src/jobs/owner.js";

let other: ReturnType<typeof spawn>;
beforeAll(() => {
  other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
});
afterAll(() => {
  other.kill();
});

describe("a job owner's liveness on this machine", () => {
  it("is this process while it runs, in this boot", async () => {
    expect(thisProcess()).toMatchObject({ pid: process.pid, machine: machineBoot() });
    expect(await processAlive(thisProcess())).toBe(true);
  });

  it("is gone for a stamp of another boot, even when its pid now names a live process", async () => {
    expect(await processAlive({ ...thisProcess(), machine: "5d1c7f0e-0000-4000-8000-000000000000" })).toBe(false);
    expect(await processAlive({ ...thisProcess(), machine: "t1000000000" })).toBe(false);
  });

  it("is gone for this process's pid under another process's id (a restarted container's pid 1)", async () => {
    expect(await processAlive({ ...thisProcess(), boot: "an-earlier-process" })).toBe(false);
  });

  it.runIf(process.platform === "linux")("is gone for a live pid that started at another time than the stamp says", async () => {
    const stat = readFileSync(`/proc/${other.pid}/stat`, "utf8");
    const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
    expect(await processAlive({ pid: other.pid!, boot: "x", machine: machineBoot(), started })).toBe(true);
    expect(await processAlive({ pid: other.pid!, boot: "x", machine: machineBoot(), started: String(Number(started) - 1) })).toBe(false);
  });

  it("without a boot or start in the stamp (written by an earlier version), is the pid's", async () => {
    expect(await processAlive({ pid: other.pid!, boot: "x" })).toBe(true);
    expect(await processAlive({ pid: 2 ** 22 + 7, boot: "x" })).toBe(false);
  });

  it("compares boot times within ten minutes as one boot (a clock set after boot), ids exactly", () => {
    expect(sameBoot("t1764800000", "t1764800500")).toBe(true);
    expect(sameBoot("t1764800000", "t1764801000")).toBe(false);
    expect(sameBoot("abc", "abc")).toBe(true);
    expect(sameBoot("abc", "t1764800000")).toBe(false);
  });
});
