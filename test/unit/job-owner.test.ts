/** Which process owns a local job (src/jobs/owner.ts): a pid from an earlier boot of the machine is not that process. */
import { describe, expect, it } from "vitest";
import { machineBoot, processAlive, sameBoot, thisProcess } from "../../src/jobs/owner.js";

describe("a job owner's liveness on this machine", () => {
  it("is this process while it runs, in this boot", () => {
    expect(thisProcess()).toMatchObject({ pid: process.pid, machine: machineBoot() });
    expect(processAlive(thisProcess())).toBe(true);
  });

  it("is gone for a stamp of another boot, even when its pid now names a live process", () => {
    expect(processAlive({ pid: process.pid, machine: "5d1c7f0e-0000-4000-8000-000000000000" })).toBe(false);
    expect(processAlive({ pid: process.pid, machine: "t1000000000" })).toBe(false);
  });

  it("without a boot in the stamp (written by an earlier version), is the pid's", () => {
    expect(processAlive({ pid: process.pid })).toBe(true);
    expect(processAlive({ pid: 2 ** 22 + 7 })).toBe(false);
  });

  it("compares boot times within ten minutes as one boot (a clock set after boot), ids exactly", () => {
    expect(sameBoot("t1764800000", "t1764800500")).toBe(true);
    expect(sameBoot("t1764800000", "t1764801000")).toBe(false);
    expect(sameBoot("abc", "abc")).toBe(true);
    expect(sameBoot("abc", "t1764800000")).toBe(false);
  });
});
