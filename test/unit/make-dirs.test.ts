import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeDirs, makeDirsSync } from "../../src/make-dirs.js";
import { tempDir } from "../helpers/harness.js";

describe("makeDirs", () => {
  it("creates missing parents, and accepts a folder that exists", async () => {
    const dir = join(tempDir(), "a", "b", "c");
    await makeDirs(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    await makeDirs(dir);
    const sync = join(tempDir(), "x", "y");
    makeDirsSync(sync, { mode: 0o700 });
    expect(statSync(sync).mode & 0o777).toBe(0o700);
  });

  it("fails where a file is in the way", async () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    await expect(makeDirs(join(file, "sub"))).rejects.toMatchObject({ code: "ENOTDIR" });
    expect(() => makeDirsSync(file)).toThrow(/EEXIST/);
  });

  // Node's own recursive mkdir spins forever here (mkdir answers ENOENT under /proc, which exists).
  it.runIf(existsSync("/proc/self"))("fails at once under /proc, where a recursive mkdir never returns", async () => {
    await expect(makeDirs("/proc/aigc-mcp-nope/sub")).rejects.toMatchObject({ code: "ENOENT" });
    expect(() => makeDirsSync("/proc/aigc-mcp-nope")).toThrow(/ENOENT/);
  });
});
