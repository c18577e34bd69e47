/** Issue 12 item 4: a working directory of `/` (or the bare home folder) is never a default input root. */
import { describe, expect, it } from "vitest";
import { defaultInputRoots } from "../../src/context.js";

describe("default input roots", () => {
  it("leaves out a filesystem root or the bare home folder as working directory", () => {
    expect(defaultInputRoots("/out", "/", "/home/me")).toEqual(["/out"]);
    expect(defaultInputRoots("/out", "/home/me", "/home/me")).toEqual(["/out"]);
    expect(defaultInputRoots("/out", "/home/me/", "/home/me")).toEqual(["/out"]);
  });
  it("leaves out an output folder that is a filesystem root or the bare home folder too", () => {
    expect(defaultInputRoots("/", "/home/me/project", "/home/me")).toEqual(["/home/me/project"]);
    expect(defaultInputRoots("/home/me", "/", "/home/me")).toEqual([]);
    expect(defaultInputRoots("/home/me/project", "/home/me/project", "/home/me")).toEqual(["/home/me/project"]);
  });
  it("keeps a project working directory", () => {
    expect(defaultInputRoots("/out", "/home/me/project", "/home/me")).toEqual(["/out", "/home/me/project"]);
  });
});
